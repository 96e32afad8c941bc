#!/usr/bin/env python3
"""Writes cases.txt: NumPy 2's result of every jitex IR operator on special values.

Run with the NumPy 2 venv:  /work/venv/bin/python tests/data/conformance/generate.py

Line format (one case a line, `#` starts a comment):

    <op> <dtype> <x> [<y>] -> <result dtype> <result>

`op` is the IR name (`floordiv`, `sin`, ...), `dtype` the operand dtype. Integers are
decimal, bools `True`/`False`, floats the shortest decimal text that round-trips in their
own precision (`nan`, `inf`, `-0.0`, `1e-45`); complex values are their two parts written
so, joined by a comma (`1.5,-inf`). A line whose result NumPy does not define
(it raises, e.g. an integer to a negative power) carries jitex's documented choice and
ends with `# jitex`.
"""

import os
import warnings

import numpy as np

warnings.simplefilter("ignore")

INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOATS = ["float32", "float64"]
COMPLEX = ["complex64", "complex128"]
ALL = ["bool"] + INTS + FLOATS


def int_values(dt):
    info = np.iinfo(dt)
    bits = info.bits
    if info.min < 0:
        vals = [info.min, info.min + 1, -7, -2, -1, 0, 1, 2, 3, bits - 1, bits, info.max]
    else:
        vals = [0, 1, 2, 3, 7, bits - 1, bits, info.max // 2 + 1, info.max]
    return [np.array([v], dtype=dt)[0] for v in vals]


def float_values(dt, wide):
    f = np.finfo(dt)
    tiny_sub = np.array([1], dtype=np.uint32 if dt == "float32" else np.uint64).view(dt)[0]
    vals = [np.nan, np.inf, -np.inf, 0.0, -0.0, tiny_sub, -tiny_sub, f.tiny, f.max, -f.max,
            1.0, -1.0, 0.5, 2.5, -1.5, 3.0, -7.25]
    if wide:
        # More points for one-operand functions: their domains' interesting places.
        vals += [-0.5, 0.1, -0.1, 0.99, 1.5, 2.0, -2.0, 10.0, 1e-5, -1e-5, 1e-30, 20.0, 30.0,
                 88.0, 89.0, 100.0, -100.0, 700.0, 710.0, -745.0, 1e10, -1e10, 1e30, 3.14159,
                 1.5707963, 0.785398, 1e300 if dt == "float64" else 3e38]
    return [np.array([v], dtype=dt)[0] for v in vals]


# Ops whose edge cases are few (comparisons, bitwise logic) get a smaller value set, which
# keeps the table near 2 MB (half of it complex cases).
SIMPLE = {"lt", "le", "eq", "ne", "ge", "gt", "and", "or", "xor"}


def values(dt, wide=False, simple=False):
    if dt == "bool":
        return [np.bool_(False), np.bool_(True)]
    if simple and dt in INTS:
        info = np.iinfo(dt)
        vals = [info.min, -1, 0, 1, info.max] if info.min < 0 else [0, 1, 2, info.max]
        return [np.array([v], dtype=dt)[0] for v in vals]
    if simple:
        return float_values(dt, False)[:11]
    if dt in INTS:
        return int_values(dt)
    return float_values(dt, wide)


def fmt(v):
    dt = v.dtype
    if dt.kind == "c":
        return f"{fmt(v.real)},{fmt(v.imag)}"
    if dt == np.bool_:
        return "True" if v else "False"
    if dt.kind in "iu":
        return str(int(v))
    if np.isnan(v):
        return "nan"
    s = repr(float(v)) if dt == np.float64 else str(v)
    # Guard: the text must read back to the same bits.
    back = np.array([float(s)], dtype=dt)[0]
    assert back.tobytes() == v.tobytes(), (s, v)
    return s


# IR op name -> (numpy ufunc, dtypes it is defined on)
BINARY = {
    "add": (np.add, INTS + FLOATS),
    "sub": (np.subtract, INTS + FLOATS),
    "mul": (np.multiply, INTS + FLOATS),
    "div": (np.true_divide, FLOATS),
    "floordiv": (np.floor_divide, INTS + FLOATS),
    "mod": (np.remainder, INTS + FLOATS),
    "pow": (np.power, INTS + FLOATS),
    "shl": (np.left_shift, INTS),
    "shr": (np.right_shift, INTS),
    "and": (np.bitwise_and, ["bool"] + INTS),
    "or": (np.bitwise_or, ["bool"] + INTS),
    "xor": (np.bitwise_xor, ["bool"] + INTS),
    "lt": (np.less, ALL),
    "le": (np.less_equal, ALL),
    "eq": (np.equal, ALL),
    "ne": (np.not_equal, ALL),
    "ge": (np.greater_equal, ALL),
    "gt": (np.greater, ALL),
    "maximum": (np.maximum, ALL),
    "minimum": (np.minimum, ALL),
    "fmod": (np.fmod, INTS + FLOATS),
    "arctan2": (np.arctan2, FLOATS),
    "hypot": (np.hypot, FLOATS),
    "nextafter": (np.nextafter, FLOATS),
    "copysign": (np.copysign, FLOATS),
}

TRANSCENDENTAL = ["sqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
                  "tanh", "arcsinh", "arccosh", "arctanh", "exp", "expm1", "log", "log1p",
                  "log2", "log10"]

UNARY = {
    "neg": (np.negative, INTS + FLOATS),
    "not": (np.invert, ["bool"] + INTS),
    "abs": (np.absolute, ALL),
    "sign": (np.sign, INTS + FLOATS),
    "ceil": (np.ceil, INTS + FLOATS),
    "floor": (np.floor, INTS + FLOATS),
    "trunc": (np.trunc, INTS + FLOATS),
    "round": (np.round, INTS + FLOATS),  # decimals=0: half to even; ints stay ints
    "isnan": (np.isnan, ALL),
    "isfinite": (np.isfinite, ALL),
    "isinf": (np.isinf, ALL),
    "signbit": (np.signbit, FLOATS),
}
UNARY.update({name: (getattr(np, name), FLOATS) for name in TRANSCENDENTAL})


def part_values(pdt, wide):
    """Parts of complex test values: the special values, then huge, tiny and plain ones."""
    f = np.finfo(pdt)
    tiny_sub = np.array([1], dtype=np.uint32 if pdt == "float32" else np.uint64).view(pdt)[0]
    vals = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, f.max, tiny_sub]
    if wide:
        vals += [1e-5, 3.0, -400.0]
    return [np.array([v], dtype=pdt)[0] for v in vals]


def complex_values(dt, wide):
    pdt = "float32" if dt == "complex64" else "float64"
    parts = part_values(pdt, wide)
    out = np.empty(len(parts) ** 2, dtype=dt)
    out.real = [re for re in parts for _ in parts]
    out.imag = [im for _ in parts for im in parts]
    return list(out)


# Exponents and divisors worth their own cases: the integer powers `npy_cpow` unrolls or
# multiplies out, and the rest, which go through `cpow`.
def complex_operands(dt):
    vals = complex_values(dt, False)[::8]
    extra = [2, 3, -2, 5, 0.5, 1.5 + 2j, -3 + 0.25j, 100, 1e-3j]
    return vals + [np.array([v], dtype=dt)[0] for v in extra]


# IR op name -> (numpy function, result typing) for complex operands.
COMPLEX_BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "pow": np.power, "eq": np.equal, "ne": np.not_equal,
}
COMPLEX_UNARY = {
    "neg": np.negative, "conj": np.conjugate, "real": np.real, "imag": np.imag,
    "abs": np.absolute, "isnan": np.isnan, "isfinite": np.isfinite, "isinf": np.isinf,
    # NumPy 2: z/|z|; round: each part half to even.
    "sign": np.sign, "round": np.round,
}
COMPLEX_UNARY.update({name: getattr(np, name) for name in TRANSCENDENTAL})


def complex_cases(out):
    for dt in COMPLEX:
        vals = complex_operands(dt)
        xs = np.array([x for x in vals for _ in vals], dtype=dt)
        ys = np.array([y for _ in vals for y in vals], dtype=dt)
        for name, uf in COMPLEX_BINARY.items():
            rs = uf(xs, ys)
            for x, y, r in zip(xs, ys, rs):
                out.append(f"{name} {dt} {fmt(x)} {fmt(y)} -> {rs.dtype} {fmt(r)}")
        xs = np.array(complex_values(dt, True), dtype=dt)
        for name, uf in COMPLEX_UNARY.items():
            rs = uf(xs)
            for x, r in zip(xs, rs):
                out.append(f"{name} {dt} {fmt(x)} -> {rs.dtype} {fmt(r)}")
    # `complex(re, im)` is Python's `complex(re, im)`: the parts unchanged.
    for pdt, dt in zip(FLOATS, COMPLEX):
        vals = part_values(pdt, False)
        for x in vals:
            for y in vals:
                r = np.empty(1, dtype=dt)
                r.real, r.imag = x, y
                out.append(f"complex {pdt} {fmt(x)} {fmt(y)} -> {dt} {fmt(r[0])}")


def int_pow_jitex(x, y, dt):
    """jitex's documented integer power for a negative exponent (NumPy raises)."""
    x = int(x)
    if x == 1:
        r = 1
    elif x == -1:
        r = 1 if int(y) % 2 == 0 else -1
    else:
        r = 0
    return np.array([r], dtype=dt)[0]


def main():
    out = [__doc__.strip().replace("\n", "\n# ").join(["# ", ""]), f"# numpy {np.__version__}"]
    for name, (uf, dts) in BINARY.items():
        for dt in dts:
            vals = values(dt, simple=name in SIMPLE)
            xs = np.array([x for x in vals for _ in vals], dtype=dt)
            ys = np.array([y for _ in vals for y in vals], dtype=dt)
            if name == "pow" and dt in INTS:
                # Element-wise, since NumPy rejects the whole array on one negative exponent.
                for x, y in zip(xs, ys):
                    if int(y) < 0:
                        r, tag = int_pow_jitex(x, y, dt), "  # jitex"
                    else:
                        r, tag = uf(np.array([x]), np.array([y]))[0], ""
                    out.append(f"{name} {dt} {fmt(x)} {fmt(y)} -> {r.dtype} {fmt(r)}{tag}")
                continue
            # Whole arrays, so NumPy's vector loops (the ones users get) compute the results.
            rs = uf(xs, ys)
            for x, y, r in zip(xs, ys, rs):
                out.append(f"{name} {dt} {fmt(x)} {fmt(y)} -> {rs.dtype} {fmt(r)}")
    for name, (uf, dts) in UNARY.items():
        for dt in dts:
            xs = np.array(values(dt, wide=True), dtype=dt)
            rs = uf(xs)
            for x, r in zip(xs, rs):
                out.append(f"{name} {dt} {fmt(x)} -> {rs.dtype} {fmt(r)}")
    complex_cases(out)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.txt")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {len(out)} lines to {path}")


if __name__ == "__main__":
    main()
