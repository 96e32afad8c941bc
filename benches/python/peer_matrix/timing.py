"""Best-of-k timing and result checks, shared by this process and the JAX subprocess."""
import time

import numpy as np

#: (seconds of repetitions per cell, least and most repetitions): the repetition count k
#: adapts to N, many at small N (calls shorter than a millisecond are also batched), the
#: least at large N.
FULL = (0.2, 3, 15)
QUICK = (0.005, 2, 3)


def best_time(fn, budget, min_reps, max_reps, batch_s=1e-3):
    """Best seconds per call of `fn`: at least `min_reps` and at most `max_reps` timed
    repetitions, and no more once `budget` seconds have passed; calls shorter than
    `batch_s` are batched so that each repetition takes about that long."""
    t = time.perf_counter()
    fn()
    first = max(time.perf_counter() - t, 1e-9)
    batch = max(1, min(100_000, int(batch_s / first)))
    best, reps, start = float("inf"), 0, time.perf_counter()
    while reps < max_reps and (reps < min_reps or time.perf_counter() - start < budget):
        t = time.perf_counter()
        for _ in range(batch):
            fn()
        best = min(best, (time.perf_counter() - t) / batch)
        reps += 1
    return best


def first_call(fn):
    """Seconds of one call of `fn` (a cold compile, when it is the first)."""
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def same(got, want):
    """Whether `got` has `want`'s shape and values: close for floats and complex numbers
    (float32 to 1e-5 relative, float64 to 1e-7: summation order and math libraries
    differ between libraries), exact otherwise."""
    got = np.asarray(got)
    if got.shape != want.shape:
        return False
    if want.dtype.kind in "fc":
        single = want.dtype in (np.float32, np.complex64)
        rtol, atol = (1e-5, 1e-6) if single else (1e-7, 1e-10)
        return bool(np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True))
    return bool(np.array_equal(got, want))


def check(got, want):
    """"ok" when `got` equals `want` (see `same`), "dtype NAME" when its values do but its
    dtype differs, else "MISMATCH"."""
    if not same(got, want):
        return "MISMATCH"
    got_dtype = np.asarray(got).dtype
    return "ok" if got_dtype == want.dtype else f"dtype {got_dtype}"


def spoil(out, want):
    """Fills `out` with values that differ from `want` everywhere, so that a call that
    writes nothing into it fails the check."""
    if want.dtype == bool:
        out[...] = ~want
    elif want.dtype.kind == "S":
        out[...] = b"\xff"
    else:
        out[...] = want + 1
