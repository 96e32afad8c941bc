"""numexpr's evaluation API on jitex kernels: ``evaluate``, ``re_evaluate``,
``validate``, ``NumExpr`` and ``disassemble``, with numexpr's parameters, defaults, name
resolution (``local_dict``, ``global_dict``, else the caller's frame) and exceptions.
"""

import re
import sys
import weakref

import numpy

from . import _jitex
from .expressions import ExpressionNode

__all__ = [
    "evaluate",
    "re_evaluate",
    "validate",
    "NumExpr",
    "disassemble",
    "getExprNames",
    "compile",
]

Kernel = _jitex.Kernel

# The typing rules of this module's kernels: NumPy's in jitex itself; the copy of this
# module that `jitex.install_as_numexpr()` installs as `numexpr.necompiler` sets "numexpr",
# so that code written for numexpr gets numexpr's result dtypes.
_TYPING = "numpy"

_OPTIMIZATIONS = ("none", "moderate", "aggressive")
_TRUEDIVS = (False, True, "auto")
_ORDERS = ("C", "F", "A", "K")
_CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")

# numexpr's sanitizer, kept for its exceptions: jitex never calls Python's eval, so the
# check only decides which error a rejected expression raises.
_flow_pat = r"[\;\[\:]"
_dunder_pat = r"(^|[^\w])__[\w]+__($|[^\w])"
_attr_pat = r"\.\b(?!(real|imag|(\d*[eE]?[+-]?\d+)|(\d*[eE]?[+-]?\d+j)|(\d*j))\b)"
_blacklist_re = re.compile(f"{_flow_pat}|{_dunder_pat}|{_attr_pat}")
_dunder_re = re.compile(_dunder_pat)

# Compiled kernels by source: each holds its own per-signature native code.
_kernels = {}
_MAX_KERNELS = 256

_getframe = sys._getframe


def _sanitize_default(sanitize):
    if sanitize is None:
        import os

        value = os.environ.get("NUMEXPR_SANITIZE")
        return True if value is None else bool(int(value))
    return sanitize


def _forbidden(ex):
    no_space = re.sub(r"\s+", "", ex)
    no_quotes = re.sub(r"('[^']*')", "", no_space)
    return _blacklist_re.search(no_quotes) is not None


def _python_parses(ex):
    import builtins
    import warnings

    with warnings.catch_warnings():
        # Python warns about odd literals (`1if`): irrelevant, only parsing matters here.
        warnings.simplefilter("ignore")
        try:
            builtins.compile(ex, "<expr>", "eval")
        except (SyntaxError, ValueError):
            return False
    return True


def _compile(ex, sanitize, outputs=None, typing=None):
    """A Kernel for ``ex``, raising numexpr's exception classes."""
    if not isinstance(ex, str):
        raise ValueError("must specify expression as a string")
    sanitize = _sanitize_default(sanitize)
    if sanitize and _dunder_re.search(ex):
        raise ValueError(f"Expression {ex} has forbidden control characters.")
    try:
        return Kernel(ex, outputs, typing or _TYPING)
    except SyntaxError as err:
        if sanitize and _forbidden(ex):
            raise ValueError(f"Expression {ex} has forbidden control characters.") from None
        if _python_parses(ex):
            # Valid Python that jitex does not evaluate (`a and b`, `a[0]`, lists): numexpr
            # fails there at type level too.
            raise TypeError(err.msg) from None
        raise


def _kernel(ex, sanitize):
    k = _kernels.get(ex)
    if k is None:
        k = _compile(ex, sanitize)
        if len(_kernels) >= _MAX_KERNELS:
            # Drop the oldest tenth, as numexpr's CacheDict does.
            for key in list(_kernels)[: _MAX_KERNELS // 10]:
                _kernels.pop(key, None)
        _kernels[ex] = k
    return k


def _check_context(kwargs):
    opt = kwargs.pop("optimization", "aggressive")
    if opt not in _OPTIMIZATIONS:
        raise ValueError("'optimization' must be one of %s" % (_OPTIMIZATIONS,))
    truediv = kwargs.pop("truediv", "auto")
    if truediv not in _TRUEDIVS:
        raise ValueError("'truediv' must be one of %s" % (_TRUEDIVS,))
    if kwargs:
        raise ValueError("Unknown keyword argument '%s'" % next(iter(kwargs)))


def _check_order_casting(order, casting):
    if order not in _ORDERS:
        raise ValueError("order must be one of 'C', 'F', 'A', or 'K' (got %r)" % (order,))
    if casting not in _CASTINGS:
        raise ValueError(
            "casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe' (got %r)"
            % (casting,)
        )


def _run(kernel, args, out, order, casting):
    if out is None:
        result = kernel(*args)
    else:
        result = kernel(*args, out=out, casting=casting)
    if order == "F" and out is None:
        result = numpy.asfortranarray(result)
    return result


def validate(
    ex,
    local_dict=None,
    global_dict=None,
    out=None,
    order="K",
    casting="safe",
    _frame_depth=2,
    sanitize=None,
    **kwargs,
):
    """Checks ``ex`` and its inputs (from ``local_dict``, ``global_dict`` or the caller's
    frame) without evaluating, and remembers them for ``re_evaluate()``.

    Returns None on success, else the exception ``evaluate`` would raise (SyntaxError,
    KeyError for a missing name, TypeError, ValueError, ...).
    """
    try:
        _check_context(kwargs)
        _check_order_casting(order, casting)
        kernel = _kernel(ex, sanitize)
        local_dict, global_dict = _frame_dicts(local_dict, global_dict, _frame_depth - 1)
        args = _lookup(kernel.input_names, local_dict, global_dict)
        kernel.result_dtype([numpy.asarray(a).dtype for a in args])
        out_ref = None if out is None else weakref.ref(out)
        _jitex._set_last_call(_kernels, kernel, out_ref, order, casting)
    except Exception as e:
        return e
    return None


def _evaluate(
    ex,
    local_dict=None,
    global_dict=None,
    out=None,
    order="K",
    casting="same_kind",
    sanitize=None,
    _frame_depth=3,
    disable_cache=False,
    **kwargs,
):
    """``evaluate`` for every call its native path leaves here (see ``evaluate.__doc__``,
    in ``_jitex``): compiling and caching, option checks, errors, ``order='F'``."""
    if kwargs:
        _check_context(kwargs)
    if order != "K" or casting != "same_kind":
        _check_order_casting(order, casting)
    kernel = _kernels.get(ex)
    if kernel is None:
        kernel = _kernel(ex, sanitize)
    local_dict, global_dict = _frame_dicts(local_dict, global_dict, _frame_depth - 2)
    if not disable_cache:
        out_ref = None if out is None else weakref.ref(out)
        _jitex._set_last_call(_kernels, kernel, out_ref, order, casting)
    result = kernel.call_with_dicts(local_dict, global_dict, out, casting)
    if order == "F" and out is None:
        return numpy.asfortranarray(result)
    return result


def _lookup(names, local_dict, global_dict):
    # `in` before indexing: a KeyError raised and caught per global name would cost more
    # than the whole kernel call at small sizes.
    return [local_dict[n] if n in local_dict else global_dict[n] for n in names]


def _frame_dicts(local_dict, global_dict, depth):
    if local_dict is None or global_dict is None:
        frame = _getframe(depth + 1)
        if local_dict is None:
            local_dict = frame.f_locals
        if global_dict is None:
            global_dict = frame.f_globals
    return local_dict, global_dict


def re_evaluate(local_dict=None, global_dict=None, _frame_depth=2):
    """Evaluates the expression of the last ``evaluate``/``validate`` in this thread again,
    with the inputs looked up anew (and the same ``out``, ``order`` and ``casting``)."""
    last = _jitex._last_call(_kernels)
    if last is None:
        raise RuntimeError(
            "A previous evaluate() execution was not found, please call `validate` or "
            "`evaluate` once before `re_evaluate`"
        )
    kernel, out_ref, order, casting = last
    local_dict, global_dict = _frame_dicts(local_dict, global_dict, _frame_depth - 1)
    out = None if out_ref is None else out_ref()
    result = kernel.call_with_dicts(local_dict, global_dict, out, casting)
    return numpy.asfortranarray(result) if order == "F" and out is None else result


def getExprNames(text, context, sanitize=True):
    """The input names of ``text`` (in order of first use) and whether it uses VML
    (never, in jitex)."""
    return list(_compile(text, sanitize).input_names), False


# numexpr's signature types: `float` means float32 and `int` int32 there.
_SIGNATURE_TYPES = {
    bool: numpy.dtype(bool),
    int: numpy.dtype(numpy.int32),
    float: numpy.dtype(numpy.float32),
    complex: numpy.dtype(numpy.complex128),
    bytes: numpy.dtype("S"),
    str: numpy.dtype("U"),
}


def _signature_dtype(t):
    try:
        return _SIGNATURE_TYPES[t]
    except (KeyError, TypeError):
        return numpy.dtype(t)


class _NumExpr:
    """A compiled expression with a fixed input order and dtypes, as numexpr's
    ``NumExpr`` objects: call it (or ``run``) with the inputs positionally."""

    def __init__(self, ex, signature=(), sanitize=True, **kwargs):
        _check_context(kwargs)
        if isinstance(ex, ExpressionNode):
            ex = str(ex)
        elif not isinstance(ex, str):
            # A bare constant: numexpr wraps it in a ConstantNode.
            from .expressions import ConstantNode

            ex = str(ConstantNode(ex))
        self.kernel = _compile(ex, sanitize)
        names = list(self.kernel.input_names)
        types = dict(signature)
        if signature:
            order = [name for name, _ in signature]
            if sorted(order) != sorted(names):
                raise ValueError("input names (%s) don't match those in the signature (%s)"
                                 % (", ".join(names), ", ".join(order)))
        else:
            order = sorted(names)
        self.input_names = tuple(order)
        self.signature = tuple((n, _signature_dtype(types.get(n, numpy.double))) for n in order)
        position = {n: i for i, n in enumerate(order)}
        self._permutation = [position[n] for n in names]
        self.source = ex

    def run(self, *args, out=None, order="K", casting="safe", ex_uses_vml=False):
        """Evaluates on ``args``, given in ``input_names`` order."""
        if len(args) != len(self.signature):
            raise ValueError("number of inputs doesn't match program")
        _check_order_casting(order, casting)
        arrays = [numpy.asarray(a) for a in args]
        cast = [a.astype(dt, casting="safe", copy=False) for a, (_, dt) in zip(arrays, self.signature)]
        kernel_args = [cast[i] for i in self._permutation]
        return _run(self.kernel, kernel_args, out, order, casting)

    __call__ = run

    @property
    def constants(self):
        """The distinct constants of the typed program for this signature, in order of first
        use, as NumPy scalars (numexpr's constant table; jitex's kernels embed them)."""
        dtypes = dict(self.signature)
        pairs = self.kernel.constants([dtypes[n] for n in self.kernel.input_names])
        return tuple(numpy.dtype(name).type(value) for name, value in pairs)

    def __repr__(self):
        return "NumExpr(%r)" % self.source


def NumExpr(ex, signature=(), sanitize=True, **kwargs):
    """Compiles ``ex`` (a string or an ``E`` expression) with a fixed input order and
    dtypes: ``signature`` is a list of (name, type) pairs; names it leaves out are
    float64 and, with no signature, inputs come in alphabetical order (as in numexpr)."""
    return _NumExpr(ex, signature, sanitize, **kwargs)


def disassemble(nex):
    """jitex's listing of a ``NumExpr`` object's program for its signature: one string per
    line of the optimised typed IR (numexpr's bytecode does not exist in jitex)."""
    kernel = nex.kernel
    dtypes = dict(nex.signature)
    listing = kernel.explain([dtypes[n] for n in kernel.input_names])
    lines = listing.split("# optimised IR\n", 1)[1].split("# Cranelift IR", 1)[0]
    return [line for line in lines.splitlines() if line.strip()]


def compile(ex, outputs=None, typing=None):
    """Compiles ``ex`` once into a reusable kernel: the fast path.

    Call the result with the inputs positionally (in ``.input_names`` order) or by name:
    ``k = jitex.compile("2*a + b"); k(x, y)`` or ``k(a=x, b=y)``; ``out=`` and
    ``casting=`` as in ``evaluate``. With ``outputs=["x", "y"]`` a program returns a tuple.
    Syntax errors raise here; type errors on the first call with given dtypes.
    ``typing`` is "numpy" (NumPy 2's result dtypes, jitex's own) or "numexpr" (numexpr's:
    ``int32 * float32`` is float32, ``abs`` of an integer float64); the default is this
    module's, "numexpr" in the module ``install_as_numexpr`` installs.
    """
    return _compile(ex, False, outputs, typing)


# The native `evaluate` runs a cached expression with the default options itself and
# hands every other call to `_evaluate` above; each module instance (this one, and the
# numexpr-typed copy of `install_as_numexpr`) gets its own, over its own kernel cache.
evaluate = _jitex._make_evaluate(_kernels, _evaluate)
