#!/usr/bin/env python3
"""NumPy's own float64 ufuncs on the inputs of `benches/math.rs`'s `kernel/*` rows (N =
10 000, in cache, one thread): ns per element, the best of many timed batches of thread
CPU time (robust to other processes on a loaded machine), for `docs/math.md`.

    OMP_NUM_THREADS=1 /work/pyvenv-new/bin/python scripts/numpy_math_bench.py
"""
import time

import numpy as np

N = 10_000
MASK = (1 << 64) - 1


def column(n, seed):
    """`benches/common::column`: xorshift64 values in [0, 1)."""
    s = seed | 1
    out = np.empty(n)
    for i in range(n):
        s ^= (s << 13) & MASK
        s ^= s >> 7
        s ^= (s << 17) & MASK
        out[i] = (s >> 11) / float(1 << 53)
    return out


def uniform(seed, lo, hi):
    return lo + (hi - lo) * column(N, seed)


KERNELS = [
    ("exp", -700.0, 700.0), ("log", 1e-3, 1e6), ("sin", -1e3, 1e3), ("cos", -1e3, 1e3),
    ("tan", -1e3, 1e3), ("arctan", -100.0, 100.0), ("arcsin", -1.0, 1.0), ("arccos", -1.0, 1.0),
    ("log1p", -0.9, 100.0), ("log2", 1e-3, 1e6), ("log10", 1e-3, 1e6), ("expm1", -20.0, 20.0),
    ("tanh", -5.0, 5.0), ("sinh", -20.0, 20.0), ("cosh", -20.0, 20.0),
]


def best(f, batches=30, reps=50):
    f()
    b = float("inf")
    for _ in range(batches):
        t0 = time.thread_time_ns()
        for _ in range(reps):
            f()
        b = min(b, (time.thread_time_ns() - t0) / reps)
    return b / N


out = np.empty(N)
print(f"numpy {np.__version__}")
for name, lo, hi in KERNELS:
    x = uniform(3, lo, hi)
    g = getattr(np, name)
    print(f"{name:8} {best(lambda: g(x, out=out)):.3f} ns/element")
y, x = uniform(3, -100.0, 100.0), uniform(4, -100.0, 100.0)
print(f"{'arctan2':8} {best(lambda: np.arctan2(y, x, out=out)):.3f} ns/element")
