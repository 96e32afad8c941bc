#!/usr/bin/env python3
"""Times NumPy and numexpr on jitex's benchmark suite, optionally beside jitex itself.

    python benches/python/compare.py [--quick] [--threads N] [--jitex target/release/jitex]
    python benches/python/compare.py --language [--quick] [--threads N] [--jitex ...]

Same expressions, sizes and data distributions as `jitex bench` (float64 a b c uniform in
[0, 1), int64 i1 i2 in [-1000, 1000), float32 x y in [0, 1)), best-of-k timing in ns per
element. numexpr evaluates into a preallocated `out`, like jitex's kernel columns; NumPy
has no fused form and allocates its temporaries and result. With --jitex, the jitex binary
is run with the same flags and its 1-thread and all-thread columns are merged in.

With --language, the rows are `jitex bench --language`'s: reductions, a program with two
outputs, complex numbers and byte strings. NumPy and numexpr allocate their results here
(numexpr's `abs` of complex is complex, so no common `out` exists); numexpr has no form
for rows with a reduction inside an expression ("-").

Needs numpy and numexpr (`pip install numpy numexpr`).
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numexpr as ne
import numpy as np

# (expression, input names) — keep in step with src/bin/jitex/handloops.rs.
SUITE = [
    ("2*a + 3*b", "a b"),
    ("a*b + c", "a b c"),
    ("a**2 + b**2 + 2*a*b", "a b"),
    ("0.25*a**3 + 0.75*a**2 - 1.5*a - 2", "a"),
    ("sqrt(a*a + b*b)", "a b"),
    ("where(a > b, a, b)", "a b"),
    ("(a > 0.5) & (b < 0.5)", "a b"),
    ("sin(a)**2 + cos(b)**2", "a b"),
    ("exp(-a*b)", "a b"),
    ("log(1 + a)", "a"),
    ("arctan2(a, b)", "a b"),
    ("i1*3 + i2 % 7", "i1 i2"),
    ("2*x + 3*y", "x y"),
]

# (label as `jitex bench --language` prints it, NumPy callable, numexpr form or None).
# numexpr forms return a list of expressions evaluated one after another.
LANGUAGE = [
    ("sum(a*b)", lambda d: np.sum(d["a"] * d["b"]), ["sum(a*b)"]),
    ("max(a + b)", lambda d: np.max(d["a"] + d["b"]), ["max(a + b)"]),
    ("a - mean(a)", lambda d: d["a"] - np.mean(d["a"]), None),
    ("sum(a*b) / sum(b)", lambda d: np.sum(d["a"] * d["b"]) / np.sum(d["b"]), None),
    ("t = a*b; x = t + c; y = t - c -> x, y", lambda d: (lambda t: (t + d["c"], t - d["c"]))(d["a"] * d["b"]), ["a*b + c", "a*b - c"]),
    ("z*w + 1", lambda d: d["z"] * d["w"] + 1, ["z*w + 1"]),
    ("abs(z)", lambda d: np.abs(d["z"]), ["abs(z)"]),
    ("exp(z)", lambda d: np.exp(d["z"]), ["exp(z)"]),
    ("s == t", lambda d: d["s"] == d["t"], ["s == t"]),
    ("contains(s, b'ab')", lambda d: np.strings.find(d["s"], b"ab") >= 0, ["contains(s, b'ab')"]),
]

NUMPY_FUNCS = {name: getattr(np, name) for name in ("sqrt", "where", "sin", "cos", "exp", "log", "arctan2")}


def generate(n):
    rng = np.random.default_rng(12345)
    return {
        "a": rng.random(n),
        "b": rng.random(n),
        "c": rng.random(n),
        "i1": rng.integers(-1000, 1000, n, dtype=np.int64),
        "i2": rng.integers(-1000, 1000, n, dtype=np.int64),
        "x": rng.random(n, dtype=np.float32),
        "y": rng.random(n, dtype=np.float32),
    }


def generate_language(n):
    rng = np.random.default_rng(12345)
    letters = np.frombuffer(b"abc", dtype="S1")

    def strings():
        lens = rng.integers(1, 9, n)
        chars = letters[rng.integers(0, 3, (n, 8))]
        chars[np.arange(8) >= lens[:, None]] = b""
        return chars.view("S8").reshape(n)

    return {
        "a": rng.random(n),
        "b": rng.random(n),
        "c": rng.random(n),
        "z": rng.uniform(-1, 1, n) + 1j * rng.uniform(-1, 1, n),
        "w": rng.uniform(-1, 1, n) + 1j * rng.uniform(-1, 1, n),
        "s": strings(),
        "t": strings(),
    }


def language(args, exponents, budget, min_reps, max_reps, all_threads):
    jitex_rows = run_jitex(args.jitex, args.quick, args.threads, ["--language"]) if args.jitex else {}
    data = generate_language(10 ** max(exponents))
    rows = []
    for label, np_fn, ne_forms in LANGUAGE:
        for e in exponents:
            n = 10**e
            print(f"\r{label} N=1e{e}".ljust(72), end="", file=sys.stderr, flush=True)
            local = {k: v[:n] for k, v in data.items()}
            t_np = best_time(lambda: np_fn(local), budget, min_reps, max_reps)
            t_ne = [None, None]
            if ne_forms:
                def run_ne():
                    for form in ne_forms:
                        ne.evaluate(form, local_dict=local)

                for k, threads in enumerate((1, all_threads)):
                    ne.set_num_threads(threads)
                    t_ne[k] = best_time(run_ne, budget, min_reps, max_reps)
            rows.append((label, f"1e{e}", t_np, t_ne))
    print("\r".ljust(73), file=sys.stderr)
    per_el = lambda t, key: "-" if t is None else f"{t * 1e9 / 10 ** int(key[2:]):.3f}"  # noqa: E731
    print(f"NumPy {np.__version__}, numexpr {ne.__version__}; ns per element, best of k.\n")
    head = f"| expression | N | NumPy | numexpr 1T | numexpr all ({all_threads}T) |"
    rule = "|---|---|--:|--:|--:|"
    if jitex_rows:
        head += " jitex 1T | jitex all | NumPy / jitex 1T |"
        rule += "--:|--:|--:|"
    print(head)
    print(rule)
    for label, key, t_np, (t1, tn) in rows:
        line = f"| `{label}` | {key} | {per_el(t_np, key)} | {per_el(t1, key)} | {per_el(tn, key)} |"
        if jitex_rows:
            j = jitex_rows.get((label, key))
            ratio = t_np * 1e9 / 10 ** int(key[2:]) / j[0] if j else None
            line += f" {j[0]:.3f} | {j[1]:.3f} | {ratio:.2f} |" if j else " - | - | - |"
        print(line)
    return 0


def best_time(fn, budget, min_reps, max_reps):
    """Best seconds per call; fast calls are batched to about a millisecond."""
    t = time.perf_counter()
    fn()
    first = max(time.perf_counter() - t, 1e-9)
    batch = max(1, min(100_000, int(1e-3 / first)))
    best, reps, start = float("inf"), 0, time.perf_counter()
    while reps < max_reps and (reps < min_reps or time.perf_counter() - start < budget):
        t = time.perf_counter()
        for _ in range(batch):
            fn()
        best = min(best, (time.perf_counter() - t) / batch)
        reps += 1
    return best


def run_jitex(path, quick, threads, extra=()):
    """Runs `jitex bench` and returns {(expr, 'Ne'): (ns 1T, ns all)} from its table."""
    cmd = [path, "bench", *extra] + (["--quick"] if quick else []) + (["--threads", str(threads)] if threads else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        m = re.match(r"\| `(.+)` \| (1e\d+) \| ([\d.]+) \| ([\d.]+) \|", line)
        if m:
            rows[(m.group(1), m.group(2))] = (float(m.group(3)), float(m.group(4)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="N = 1e3, 1e5 only, few repetitions")
    ap.add_argument("--threads", type=int, default=None, help="threads for the 'all' columns")
    ap.add_argument("--jitex", default=None, help="path of a jitex binary to run alongside")
    ap.add_argument("--language", action="store_true", help="the language-feature suite")
    args = ap.parse_args()
    if args.threads is not None and args.threads < 1:
        ap.error("--threads must be >= 1")

    exponents = [3, 5] if args.quick else [3, 5, 7]
    budget, min_reps, max_reps = (0.005, 2, 3) if args.quick else (0.2, 3, 15)
    all_threads = args.threads or int(os.environ.get("JITEX_NUM_THREADS", 0)) or os.cpu_count() or 1
    if args.language:
        return language(args, exponents, budget, min_reps, max_reps, all_threads)
    jitex_rows = run_jitex(args.jitex, args.quick, args.threads) if args.jitex else {}

    data = generate(10 ** max(exponents))
    total = len(SUITE) * len(exponents)
    rows = []
    step = 0
    for expr, names in SUITE:
        for e in exponents:
            step += 1
            n = 10**e
            print(f"\r[{step:>2}/{total}] {expr} N=1e{e}".ljust(72), end="", file=sys.stderr, flush=True)
            local = {k: data[k][:n] for k in names.split()}
            ns = dict(NUMPY_FUNCS, **local)
            want = eval(expr, {"__builtins__": {}}, ns)  # noqa: S307 — our own fixed suite
            out = np.empty_like(want)
            t_np = best_time(lambda: eval(expr, {"__builtins__": {}}, ns), budget, min_reps, max_reps)
            ne.set_num_threads(1)
            t_ne1 = best_time(lambda: ne.evaluate(expr, local_dict=local, out=out), budget, min_reps, max_reps)
            ne.set_num_threads(all_threads)
            t_nen = best_time(lambda: ne.evaluate(expr, local_dict=local, out=out), budget, min_reps, max_reps)
            ok = np.allclose(out, want, rtol=1e-6, equal_nan=True) if want.dtype.kind == "f" else np.array_equal(out, want)
            rows.append((expr, f"1e{e}", t_np, t_ne1, t_nen, ok))
    print("\r".ljust(73), file=sys.stderr)

    per_el = lambda t, key: f"{t * 1e9 / 10 ** int(key[2:]):.3f}"  # noqa: E731
    head = f"| expression | N | NumPy | numexpr 1T | numexpr all ({all_threads}T) |"
    rule = "|---|---|--:|--:|--:|"
    if jitex_rows:
        head += " jitex 1T | jitex all |"
        rule += "--:|--:|"
    print(f"NumPy {np.__version__}, numexpr {ne.__version__}; ns per element, best of k.")
    print("numexpr writes into a preallocated out; NumPy allocates temporaries and the result.\n")
    print(head + " numexpr check |")
    print(rule + "---|")
    for expr, key, t_np, t_ne1, t_nen, ok in rows:
        line = f"| `{expr}` | {key} | {per_el(t_np, key)} | {per_el(t_ne1, key)} | {per_el(t_nen, key)} |"
        if jitex_rows:
            j = jitex_rows.get((expr, key))
            line += f" {j[0]:.3f} | {j[1]:.3f} |" if j else " - | - |"
        print(line + (" ok |" if ok else " MISMATCH |"))
    return 0 if all(r[5] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
