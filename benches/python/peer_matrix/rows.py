"""The rows of the peer matrix and their inputs.

Inputs have the distributions of `jitex bench` (float64 `a b c` uniform in [0, 1), int64
`i1 i2` in [-1000, 1000), float32 `x y` in [0, 1)) plus bool `m n` (fair coins), complex128
`z w` (both parts uniform in [-1, 1)) and `S8` byte strings `s` of 1-8 letters from
"abc". Each input has its own seeded generator, so any subset of them, generated in any
process, holds the same values.
"""
from dataclasses import dataclass

import numpy as np

#: Columns of the 2-D inputs: a 2-D row at N elements reads an (N / 1000) x 1000 array.
COLS_2D = 1000


@dataclass(frozen=True)
class Row:
    """One expression of the matrix: jitex's (and numexpr's) syntax, NumPy's semantics."""

    expr: str
    inputs: tuple
    group: str
    #: Whether the inputs are 2-D, (N / COLS_2D) x COLS_2D, rather than 1-D of N.
    two_d: bool = False
    #: Whether Numba and JAX have a form (not for byte strings).
    compiled_peers: bool = True


def _rows(group, *specs, **kw):
    return [Row(expr, tuple(names.split()), group, **kw) for expr, names in specs]


ROWS = (
    _rows(
        "element-wise",
        ("2*a + 3*b", "a b"),
        ("a*b + c", "a b c"),
        ("a**2 + b**2 + 2*a*b", "a b"),
        ("0.25*a**3 + 0.75*a**2 - 1.5*a - 2", "a"),
        ("sqrt(a*a + b*b)", "a b"),
        ("where(a > b, a, b)", "a b"),
        ("sin(a)**2 + cos(b)**2", "a b"),
        ("exp(-a*b)", "a b"),
        ("log(1 + a)", "a"),
        ("arctan2(a, b)", "a b"),
        ("log(1 + a) * c", "a c"),
        ("tanh(a) + sqrt(b)", "a b"),
    )
    + _rows(
        "float32",
        ("2*x + 3*y", "x y"),
        ("exp(x) + sin(y)", "x y"),
        ("log(x) * cos(y)", "x y"),
    )
    + _rows("integer", ("i1*3 + i2 % 7", "i1 i2"), ("i1 // 7 + i2", "i1 i2"))
    + _rows("bool", ("(a > 0.5) & (b < 0.5)", "a b"), ("~m | n", "m n"))
    + _rows(
        "reduction",
        ("sum(a*b)", "a b"),
        ("max(a + b)", "a b"),
        ("sum(where(a > 0.5, a, 0))", "a"),
        ("mean(a)", "a"),
        ("a - mean(a)", "a"),
    )
    + _rows(
        "reduction 2-D",
        ("sum(a*b, axis=1)", "a b"),
        ("max(a, axis=0)", "a"),
        ("sum(a, axis=0)", "a"),
        two_d=True,
    )
    + _rows("complex", ("abs(z)", "z"), ("exp(z) * w", "z w"), ("z*w + z", "z w"))
    + _rows("string", ("s == b'abc'", "s"), compiled_peers=False)
)

# Each input's generator seed, so that a subset is generated alike everywhere.
_SEEDS = {name: k for k, name in enumerate("a b c i1 i2 x y m n z w s".split())}


def select(wanted):
    """The rows whose expression contains one of the texts in `wanted` (all if empty)."""
    return [r for r in ROWS if not wanted or any(w in r.expr for w in wanted)]


def generate(names, n):
    """The named inputs, 1-D of length `n` each."""
    return {name: _generate_one(name, n) for name in names}


def _generate_one(name, n):
    rng = np.random.default_rng([12345, _SEEDS[name]])
    if name in ("a", "b", "c"):
        return rng.random(n)
    if name in ("i1", "i2"):
        return rng.integers(-1000, 1000, n, dtype=np.int64)
    if name in ("x", "y"):
        return rng.random(n, dtype=np.float32)
    if name in ("m", "n"):
        return rng.random(n) < 0.5
    if name in ("z", "w"):
        return rng.uniform(-1, 1, n) + 1j * rng.uniform(-1, 1, n)
    if name == "s":
        letters = np.frombuffer(b"abc", dtype="S1")
        lens = rng.integers(1, 9, n)
        chars = letters[rng.integers(0, 3, (n, 8))]
        chars[np.arange(8) >= lens[:, None]] = b""
        return chars.view("S8").reshape(n)
    raise KeyError(name)


def env(row, data, n):
    """The row's inputs at N = `n`: views of the first `n` elements of `data`'s arrays,
    reshaped to (n / COLS_2D) x COLS_2D for a 2-D row."""
    if row.two_d:
        return {k: data[k][:n].reshape(n // COLS_2D, COLS_2D) for k in row.inputs}
    return {k: data[k][:n] for k in row.inputs}
