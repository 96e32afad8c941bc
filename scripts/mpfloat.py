"""float64 helpers shared by the table generators (`vector_math_tables*.py`): exact bits,
and mpmath values rounded once to float64. Callers set `mpmath.mp.prec`."""
import struct

import mpmath


def bits(x: float) -> int:
    """The IEEE-754 bits of a float64."""
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b: int) -> float:
    """The float64 with these bits."""
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def dbl(x) -> float:
    """mpmath value rounded to nearest float64."""
    return float(mpmath.mpf(x))
