"""numexpr's expression builder: ``E.a + 2*E.b`` makes an expression object that
``NumExpr`` (and ``str``) turn into jitex source text.

Only the text matters to jitex; the node classes keep numexpr's names (``E``,
``ExpressionNode``, ``VariableNode``, ``ConstantNode``) and the attributes users read
(``value``, ``astKind``).
"""

import numpy

__all__ = ["E", "ExpressionNode", "VariableNode", "ConstantNode"]

# numexpr's kind names, by NumPy dtype.
_KINDS = {
    "b": "bool",
    "i4": "int",
    "i8": "long",
    "f4": "float",
    "f8": "double",
    "c16": "complex",
    "S": "bytes",
    "U": "str",
}


def getKind(x):
    """numexpr's kind name of a Python or NumPy value."""
    dt = numpy.asarray(x).dtype
    if dt.kind in "SU":
        return _KINDS[dt.kind]
    if dt.kind == "u":
        return "long"
    if dt.kind == "i":
        return "int" if dt.itemsize <= 4 else "long"
    if dt.kind == "c":
        return "complex"
    return _KINDS.get(dt.str[1:], "double")


def _text(x):
    if isinstance(x, ExpressionNode):
        return x.text
    return ConstantNode(x).text


def _binop(op):
    def forward(self, other):
        return ExpressionNode("(%s %s %s)" % (self.text, op, _text(other)))

    def reverse(self, other):
        return ExpressionNode("(%s %s %s)" % (_text(other), op, self.text))

    return forward, reverse


class ExpressionNode:
    """An expression built from ``E`` variables, constants and operators."""

    astType = "op"
    astKind = "unknown"

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text

    def __repr__(self):
        return "ExpressionNode(%r)" % self.text

    __add__, __radd__ = _binop("+")
    __sub__, __rsub__ = _binop("-")
    __mul__, __rmul__ = _binop("*")
    __truediv__, __rtruediv__ = _binop("/")
    __floordiv__, __rfloordiv__ = _binop("//")
    __mod__, __rmod__ = _binop("%")
    __pow__, __rpow__ = _binop("**")
    __and__, __rand__ = _binop("&")
    __or__, __ror__ = _binop("|")
    __xor__, __rxor__ = _binop("^")
    __lshift__, __rlshift__ = _binop("<<")
    __rshift__, __rrshift__ = _binop(">>")

    def __neg__(self):
        return ExpressionNode("(-%s)" % self.text)

    def __pos__(self):
        return self

    def __invert__(self):
        return ExpressionNode("(~%s)" % self.text)

    def __bool__(self):
        raise TypeError("use &, | and ~ instead of and, or and not in expressions")

    __lt__ = _binop("<")[0]
    __le__ = _binop("<=")[0]
    __gt__ = _binop(">")[0]
    __ge__ = _binop(">=")[0]
    __eq__ = _binop("==")[0]
    __ne__ = _binop("!=")[0]

    __hash__ = object.__hash__

    @property
    def real(self):
        return ExpressionNode("real(%s)" % self.text)

    @property
    def imag(self):
        return ExpressionNode("imag(%s)" % self.text)


class VariableNode(ExpressionNode):
    """An input, by name."""

    astType = "variable"

    def __init__(self, name, kind="double"):
        ExpressionNode.__init__(self, name)
        self.value = name
        self.astKind = kind


class ConstantNode(ExpressionNode):
    """A constant. ``value`` keeps a NumPy scalar's dtype (float32 stays float32) and is
    written into the text as a cast, so jitex types it the same way."""

    astType = "constant"

    def __init__(self, value=None, kind=None):
        if isinstance(value, ExpressionNode):
            raise TypeError("a ConstantNode holds a value, not an expression")
        self.value = value
        self.astKind = kind or getKind(value)
        ExpressionNode.__init__(self, _constant_text(value))


def _float_text(x):
    x = float(x)
    if x != x:
        return "(0.0/0.0)"
    if x in (float("inf"), float("-inf")):
        return "(1.0/0.0)" if x > 0 else "(-1.0/0.0)"
    return repr(x)


def _constant_text(value):
    if isinstance(value, (bool, numpy.bool_)):
        return "True" if value else "False"
    if isinstance(value, bytes):
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, numpy.generic):
        name = value.dtype.name
        if value.dtype.kind == "c":
            return "%s(complex(%s, %s))" % (name, _float_text(value.real), _float_text(value.imag))
        if value.dtype.kind == "f":
            return "%s(%s)" % (name, _float_text(value))
        return "%s(%d)" % (name, int(value))
    if isinstance(value, int):
        return "(%d)" % value
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, complex):
        return "complex(%s, %s)" % (_float_text(value.real), _float_text(value.imag))
    raise TypeError("unsupported constant: %r" % (value,))


class _Variables:
    """``E.name`` is the input ``name``."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return VariableNode(name)


E = _Variables()
