#!/usr/bin/env python3
"""Writes cases.txt: NumPy 2's results of the reductions jitex supports.

Run with the NumPy 2 venv:  /work/venv/bin/python tests/data/reductions/generate.py

Line format (`#` starts a comment):

    input <id> <dtype> <shape> <v0> <v1> ...
    case <op> <id> <axis> -> <dtype> <shape> <v0> <v1> ...
    case <op> <id> <axis> -> error <Kind>

An `input` line defines a logical array (values in C order); the `case` lines after it
reduce it. `shape` is the extents joined by `x` (`3x4`, `()` for 0-d, `0` for one empty
axis), `axis` an integer or `None`. Values are written as in the conformance table:
decimal integers, `True`/`False`, floats as the shortest text that round-trips in their own
precision (`nan`, `-inf`, `-0.0`), complex values as `re,im`. An expected `error` names
jitex's `ErrorKind`; where NumPy does not raise (the mean of an empty range is NaN with a
warning; min/max of complex numbers are lexicographic) the line ends with `# jitex`.
"""

import os
import warnings

import numpy as np

warnings.simplefilter("ignore")

OPS = ["sum", "prod", "min", "max", "mean", "any", "all"]
INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
DTYPES = ["bool"] + INTS + ["float32", "float64", "complex64", "complex128"]
SHAPES = [(), (0,), (1,), (7,), (130,), (3, 4), (2, 3, 4), (0, 3), (3, 0)]

rng = np.random.default_rng(20240604)


def fmt(dtype, v):
    if dtype == "bool":
        return "True" if v else "False"
    if dtype in INTS:
        return str(int(v))
    if dtype in ("float32", "float64"):
        return _short(dtype, v)
    part = "float32" if dtype == "complex64" else "float64"
    return _short(part, v.real) + "," + _short(part, v.imag)


def _short(part, x):
    # NumPy 2's str() of a float scalar is the shortest text that round-trips in its own
    # precision (`nan`, `-inf`, `1e-45`, `3.4028235e+38`).
    return str(np.dtype(part).type(x))


def fmt_shape(shape):
    return "()" if shape == () else "x".join(str(n) for n in shape)


def float_pool(dt, extremes):
    f = np.finfo(dt)
    sub = np.array([1], dtype=np.uint32 if dt == "float32" else np.uint64).view(dt)[0]
    pool = [np.nan, np.inf, -np.inf, 0.0, -0.0, sub, -sub, f.tiny, 1.0, -1.0, 0.5, 2.5, -1.5,
            3.0, -7.25, 1e10]
    if extremes:
        pool += [f.max, -f.max]
    return pool


def int_pool(dt):
    info = np.iinfo(dt)
    return [info.min, info.min + 1, info.max, info.max - 1, 0, 1, -1 if info.min < 0 else 2, 7]


def make(dt, n, variant):
    """`n` logical values of dtype `dt` for one variant:
    plain: ordinary values (floats with inexact sums), ±0 among them;
    special: NaN, ±inf, ±0, subnormals mixed with plain values (ints: INT_MIN/MAX, wrapping);
    extreme: also ±max of a float dtype (only min/max/any/all see it: sums and products of
    it overflow in an order-dependent way)."""
    if dt == "bool":
        p = 0.5 if variant == "plain" else (0.9 if variant == "special" else 0.1)
        return np.array(rng.random(n) < p, dtype=dt)
    if dt in INTS:
        info = np.iinfo(dt)
        if variant == "plain":
            lo = max(info.min, -100)
            return rng.integers(lo, 101, size=n, endpoint=False).astype(dt)
        pool = int_pool(dt)
        picks = rng.integers(0, len(pool), size=n)
        small = rng.integers(0 if info.min == 0 else -50, 50, size=n)
        use = rng.random(n) < 0.6
        out = np.array([pool[i] if u else s for i, u, s in zip(picks, use, small)], dtype=object)
        return np.array([int(v) for v in out], dtype=object).astype(dt) if n else np.zeros(0, dt)
    if dt.startswith("complex"):
        part = "float32" if dt == "complex64" else "float64"
        re = make(part, n, variant)
        im = make(part, n, variant)
        return (re.astype(dt) + 1j * im.astype(dt)).astype(dt) if n else np.zeros(0, dt)
    vals = rng.standard_normal(n) * 10.0 ** rng.integers(-2, 4, size=n)
    vals = vals.astype(dt)
    if n >= 3:
        vals[rng.integers(0, n)] = 0.0
        vals[rng.integers(0, n)] = -0.0
    if variant != "plain":
        pool = float_pool(dt, variant == "extreme")
        use = rng.random(n) < (0.3 if n > 10 else 0.5)
        for i in np.nonzero(use)[0]:
            vals[i] = pool[rng.integers(0, len(pool))]
    return vals


def reduce(op, a, axis):
    if op == "min":
        return np.min(a, axis=axis)
    if op == "max":
        return np.max(a, axis=axis)
    return getattr(np, op)(a, axis=axis)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    lines = ["# " + l if l else "#" for l in __doc__.strip().splitlines()]
    ident = 0
    for dt in DTYPES:
        for shape in SHAPES:
            n = int(np.prod(shape)) if shape else 1
            variants = ["plain", "special", "extreme"] if dt != "bool" else ["plain", "special"]
            if n == 0:
                variants = ["plain"]
            for variant in variants:
                a = make(dt, n, variant).reshape(shape)
                ident += 1
                vals = " ".join(fmt(dt, v) for v in a.reshape(-1))
                lines.append(f"input {ident} {dt} {fmt_shape(shape)} {vals}".rstrip())
                axes = [None] + list(range(len(shape))) + [-k for k in range(1, len(shape) + 1)]
                for op in OPS:
                    if variant == "extreme" and op in ("sum", "prod", "mean"):
                        continue
                    for axis in axes:
                        head = f"case {op} {ident} {axis} ->"
                        if op in ("min", "max") and dt.startswith("complex"):
                            lines.append(f"{head} error Type  # jitex")
                            continue
                        try:
                            r = np.asarray(reduce(op, a, axis))
                        except ValueError:
                            lines.append(f"{head} error Shape")
                            continue
                        rdt = str(r.dtype)
                        if op == "mean" and (a.size == 0 or (axis is not None and a.shape[axis] == 0)) and r.size > 0:
                            lines.append(f"{head} error Shape  # jitex (NumPy: nan)")
                            continue
                        rv = " ".join(fmt(rdt, v) for v in r.reshape(-1))
                        lines.append(f"{head} {rdt} {fmt_shape(r.shape)} {rv}".rstrip())
    with open(os.path.join(here, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
