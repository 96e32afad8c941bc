#!/usr/bin/env python3
"""Generates src/math/vector/reference.txt: float64 arguments of the vector math kernels
with their correctly rounded results, computed by mpmath at 160 bits and rounded once.
`math::vector::tests` reads the file and measures every code path against it.

    /work/pyvenv-new/bin/python scripts/vector_math_reference.py > src/math/vector/reference.txt

Each line is `name x result` or `name y x result` (`arctan2(y, x)`), the float64 values
as 16 hex digits of their bits. The arguments are random (fixed seed) over each
function's fast domain, with more where accuracy is hardest (near 0, near 1, near
multiples of pi/2), plus the values people check by eye (exp(1), log(10), ...).
"""
import math
import random
import struct

import mpmath

mpmath.mp.prec = 160
rng = random.Random(20261206)


def hx(v: float) -> str:
    return f"{struct.unpack('<Q', struct.pack('<d', v))[0]:016x}"


def cr(v) -> float:
    """An mpmath value rounded to the nearest float64 (ties to even)."""
    return float(mpmath.mpf(v))


def uni(lo, hi, n):
    return [rng.uniform(lo, hi) for _ in range(n)]


def logu(lo_exp, hi_exp, n, signed=False):
    """Random magnitudes 2^e for e uniform in [lo_exp, hi_exp)."""
    out = []
    for _ in range(n):
        v = math.ldexp(rng.uniform(1, 2), rng.randrange(lo_exp, hi_exp))
        out.append(-v if signed and rng.random() < 0.5 else v)
    return out


def near(centres, spread):
    """Up to `spread` float64 steps either side of each centre."""
    out = []
    for c in centres:
        x = c
        for _ in range(spread):
            x = math.nextafter(x, -math.inf)
        for _ in range(2 * spread + 1):
            out.append(x)
            x = math.nextafter(x, math.inf)
    return out


PI = mpmath.pi
half_pi_multiples = [k * math.pi / 2 for k in list(range(-40, 41)) + [1000, 12345, 355113, -666000]]
pow2 = [math.ldexp(1.0, k) for k in range(-1022, 1024, 7)]
pow10 = [10.0**k for k in range(-20, 23)]
ints = [float(k) for k in range(-30, 31)]
EYE_SMALL = [0.0, 1e-300, 1e-20, 1e-10, 1e-8, 1e-5, 1e-3, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 10.0]
eye_small = EYE_SMALL + [-v for v in EYE_SMALL[1:]]

unary = {
    "exp": (mpmath.exp, uni(-708, 708, 1200) + uni(-1, 1, 300) + logu(-60, 0, 300, True)
            + ints + eye_small + [math.log(2), math.log(10), 700.0, -700.0, 707.9, -707.9]
            + [s * math.ldexp(1.0, k) for k in range(-40, 10) for s in (1, -1)]
            + [s * 10.0**k for k in range(-20, 3) for s in (1, -1)]),
    "log": (mpmath.log, logu(-1022, 1024, 900) + uni(0.5, 2, 400) + [1 + d for d in logu(-52, -4, 300, True)]
            + pow2 + pow10 + [math.e, 2.0, 10.0, 0.5, 3.0, 1.0]),
    "sin": (mpmath.sin, uni(-1e6, 1e6, 600) + uni(-10, 10, 600) + uni(-math.pi / 4, math.pi / 4, 200)
            + logu(-60, 0, 300, True) + near(half_pi_multiples, 1) + eye_small + [math.pi, math.pi / 2, math.pi / 6]),
    "cos": (mpmath.cos, uni(-1e6, 1e6, 600) + uni(-10, 10, 600) + uni(-math.pi / 4, math.pi / 4, 200)
            + logu(-60, 0, 300, True) + near(half_pi_multiples, 1) + eye_small + [math.pi, math.pi / 2, math.pi / 3]),
    "tan": (mpmath.tan, uni(-1e6, 1e6, 300) + uni(-4, 4, 400) + logu(-60, 0, 100, True) + near(half_pi_multiples[::3], 1)
            + eye_small + [math.pi / 4]),
    "arctan": (mpmath.atan, uni(-4, 4, 400) + logu(-60, 60, 400, True) + uni(0.4, 2.5, 200) + eye_small),
    "arcsin": (mpmath.asin, uni(-1, 1, 500) + [1 - d for d in logu(-52, -3, 200)] + logu(-60, -1, 200, True)
               + [v for v in eye_small if abs(v) < 1]),
    "arccos": (mpmath.acos, uni(-1, 1, 500) + [1 - d for d in logu(-52, -3, 200)] + [d - 1 for d in logu(-52, -3, 100)]
               + logu(-60, -1, 100, True) + [v for v in eye_small if abs(v) < 1]),
    "log1p": (mpmath.log1p, uni(-0.999, 10, 400) + logu(-60, 0, 300, True) + logu(0, 60, 100) + [-1 + d for d in logu(-52, -2, 100)]
              + [v for v in eye_small if v > -1]),
    "expm1": (mpmath.expm1, uni(-708, 708, 400) + uni(-2, 2, 300) + logu(-60, 0, 300, True) + eye_small),
    "log2": (lambda v: mpmath.log(v, 2), logu(-1022, 1024, 500) + uni(0.5, 2, 300) + [1 + d for d in logu(-52, -4, 200, True)]
             + pow2 + pow10),
    "log10": (mpmath.log10, logu(-1022, 1024, 500) + uni(0.5, 2, 300) + [1 + d for d in logu(-52, -4, 200, True)]
              + pow2 + pow10),
    "tanh": (mpmath.tanh, uni(-25, 25, 400) + uni(-1, 1, 300) + logu(-60, 0, 300, True) + eye_small),
    "sinh": (mpmath.sinh, uni(-708, 708, 300) + uni(-3, 3, 300) + logu(-60, 0, 300, True) + eye_small),
    "cosh": (mpmath.cosh, uni(-708, 708, 300) + uni(-3, 3, 300) + logu(-60, 0, 300, True) + eye_small),
}

# The functions with 1-ULP targets keep every point; the others half of the random ones
# (the file stays small) and all of their chosen ones at the end of each list.
KEY = {"exp", "log", "sin", "cos"}
for name, (f, xs) in unary.items():
    if name not in KEY:
        xs = xs[:-60:2] + xs[-60:]
    # mpmath has no signed zero: -0.0 (whose results are libm's) is left to the other tests.
    for x in (x for x in xs if math.copysign(1.0, x) > 0 or x != 0):
        print(name, hx(x), hx(cr(f(mpmath.mpf(x)))))


def signed(v):
    return -v if rng.random() < 0.5 else v


pairs = [(rng.uniform(-10, 10), rng.uniform(-10, 10)) for _ in range(1200)]
pairs += [(signed(math.ldexp(rng.uniform(1, 2), rng.randrange(-120, 120))),
           signed(math.ldexp(rng.uniform(1, 2), rng.randrange(-120, 120)))) for _ in range(600)]
pairs += [(a, b) for a in [1.0, -1.0, 2.0, 0.5, 3.0] for b in [1.0, -1.0, 2.0, 0.5, 3.0]]
for y, x in pairs:
    print("arctan2", hx(y), hx(x), hx(cr(mpmath.atan2(mpmath.mpf(y), mpmath.mpf(x)))))

# Dense `tanh` points where its two formulas meet and its quotients are least exact,
# [2^-7, 1) (a design 2.4 ULP off there passed the sparser points above), from a
# generator of their own so that the lines above stay as they were.
dense = random.Random(20261207)
for _ in range(1000):
    x = math.ldexp(dense.uniform(1, 2), dense.randrange(-7, 0))
    x = -x if dense.random() < 0.5 else x
    print("tanh", hx(x), hx(cr(mpmath.tanh(mpmath.mpf(x)))))
