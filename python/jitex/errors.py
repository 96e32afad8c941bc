"""jitex's own exception class; every other error is a builtin exception."""


class OperandTypeError(TypeError, NotImplementedError):
    """Operand dtypes (or an argument count) that no jitex operation takes: `s + 1` on a
    string array, `sin(a, a)`, `z < 1j`.

    NumPy raises TypeError for these and numexpr NotImplementedError ("couldn't find
    matching opcode"), so this is both: code written for either catches it.
    """
