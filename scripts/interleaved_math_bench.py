#!/usr/bin/env python3
"""jitex's float64 vector math beside NumPy's ufuncs, interleaved in one process.

    python scripts/interleaved_math_bench.py

For each function, `jitex.evaluate("f(a)", out=o)` on one thread and `np.f(a, out=o)` are
timed alternately, three rounds each (best of 15 batches of 200 calls per round), on
N = 10 000 float64 in cache drawn from the ranges of `benches/math.rs`'s `kernel/*` rows.
Alternating inside one process keeps both sides on the same host speed, which drifts on
shared VMs between two separate runs. jitex's column includes its per-call cost; the
"kernel" column subtracts that cost, measured on a 16-element call.
"""
import numpy as np, jitex, time
jitex.set_num_threads(1)
N = 10_000
rng = np.random.default_rng(7)
ranges = dict(exp=(-700, 700), log=(1e-3, 1e6), sin=(-1000, 1000), cos=(-1000, 1000),
              tan=(-1000, 1000), arctan=(-100, 100), arcsin=(-1, 1), arccos=(-1, 1),
              log1p=(-0.9, 100), log2=(1e-3, 1e6), log10=(1e-3, 1e6), expm1=(-20, 20),
              tanh=(-5, 5), sinh=(-20, 20), cosh=(-20, 20))
out = np.empty(N)
def best(f, reps=200, rounds=15):
    t = 1e9
    for _ in range(rounds):
        s = time.perf_counter()
        for _ in range(reps): f()
        t = min(t, (time.perf_counter() - s) / reps)
    return t / N * 1e9
# jitex's fixed per-call cost, measured on a 16-element call, is subtracted.
small = np.random.rand(16); so = np.empty(16)
for name, (lo, hi) in ranges.items():
    a = rng.uniform(lo, hi, N)
    ex = f"{name}(a)"
    uf = getattr(np, name)
    jitex.evaluate(ex, out=out)
    js, ns = [], []
    for _ in range(3):
        js.append(best(lambda: jitex.evaluate(ex, local_dict={'a': a}, out=out)))
        ns.append(best(lambda: uf(a, out=out)))
    # best() gives ns per element of N; a 16-element call's time spread over N elements.
    fixed = best(lambda: jitex.evaluate(ex, local_dict={'a': small}, out=so))
    j, n = min(js), min(ns)
    print(f"{name:7s} jitex {j:.3f} (kernel ~{j - fixed:.3f})  numpy {n:.3f}  numpy/jitex {n/j:.2f} (kernel {n/(j-fixed):.2f})", flush=True)
