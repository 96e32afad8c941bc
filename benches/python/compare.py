#!/usr/bin/env python3
"""Times NumPy and numexpr on jitex's benchmark suite, optionally beside jitex itself.

    python benches/python/compare.py [--quick] [--threads N] [--jitex target/release/jitex]
    python benches/python/compare.py --language [--quick] [--threads N] [--jitex ...]
    python benches/python/compare.py --in-process [--quick] [--max-exp E] [--threads N]
                                     [--check] [--plot PATH.png] [--rows TEXT,...] [--fresh]
    python benches/python/compare.py --peers [--quick] [--max-exp E] [--threads N]
                                     [--rows TEXT,...] [--libs ...] [--plot PATH.png] [--json PATH]

Same expressions, sizes and data distributions as `jitex bench` (float64 a b c uniform in
[0, 1), int64 i1 i2 in [-1000, 1000), float32 x y in [0, 1)), best-of-k timing in ns per
element. numexpr evaluates into a preallocated `out`, like jitex's kernel columns; NumPy
has no fused form and allocates its temporaries and result. With --jitex, the jitex binary
is run with the same flags and its 1-thread and all-thread columns are merged in.

With --language, the rows are `jitex bench --language`'s: reductions, a program with two
outputs, complex numbers and byte strings. NumPy and numexpr allocate their results here
(numexpr's `abs` of complex is complex, so no common `out` exists); numexpr has no form
for rows with a reduction inside an expression ("-").

With --in-process, NumPy, numexpr and jitex's Python binding (`jitex.evaluate` and a
`jitex.compile` kernel called positionally) are timed in this one process with the same
thread count (--threads, else JITEX_NUM_THREADS, else all cores) on the suite above at
N = 1e1, 1e2, ..., 1e8 (--max-exp caps the exponent; --quick runs 1e1..1e5 with few
repetitions, a smoke run of a few seconds). numexpr and jitex write into a preallocated
`out`; NumPy allocates. It prints, to stdout:

  * the machine: CPU model (from /proc/cpuinfo), cores, threads, library versions;
  * per-call overhead of a cached expression at N = 1, in µs per call (best of several
    batches of many calls): NumPy, numexpr.evaluate, jitex.evaluate, the jitex kernel;
  * a Markdown table, one row per expression x N, of ns per element (best of k) for NumPy,
    numexpr, jitex evaluate and jitex kernel, with the ratios NumPy / jitex and
    numexpr / jitex (both against jitex evaluate, the drop-in call).

--fresh times numexpr and jitex without `out`, each call allocating its result as NumPy's
does (numexpr's usual form, where page faults of large fresh results count); the
overhead table keeps `out`.

--check adds a column checking that both jitex calls reproduce NumPy's result (allclose
for floats, exact otherwise, and NumPy's result dtype) on every row, and exits 1 if any
does not. --plot PATH.png saves one figure (matplotlib, Agg backend) with a log-log
subplot of ns per element against N per expression. At N = 1e8 the inputs alone take
about 5 GB of memory, results and NumPy's temporaries a few more; use --max-exp 7 on
smaller machines.

With --peers, the peer matrix: jitex against NumPy, numexpr, Numba and JAX in one run,
on the same arrays and thread count (--threads, else JITEX_NUM_THREADS, else all usable
cores: numexpr's set_num_threads, NUMBA_NUM_THREADS, jitex.set_num_threads; JAX in a
subprocess of its own, bounded to those threads, see peer_matrix/jax_worker.py):

    python benches/python/compare.py --peers [--quick] [--max-exp E] [--threads T]
        [--rows TEXT,...] [--libs numpy,numexpr,numba,jax,jitex] [--plot PATH.png] [--json PATH]

Rows (peer_matrix/rows.py): the element-wise suite above plus `log(1 + a) * c`, `tanh(a) +
sqrt(b)`; float32 transcendentals; integer `//` and `%`; bool `&`, `~`, `|`; reductions
without an axis, with one on a 2-D (N / 1000) x 1000 input, and inside an expression
(`a - mean(a)`); complex128; an `S8` string comparison. Columns: NumPy (allocating),
numexpr (allocating, and with `out=`), Numba `@njit(parallel=True)` with `prange`
(allocating inside the function, and into a preallocated `out`), JAX `jax.jit` with
float64 enabled (inputs on the device, `block_until_ready`), jitex (`jitex.evaluate`
allocating, and with `out=`). N = 1e3 ... 1e8 (--max-exp caps it, at least 3; --quick:
1e3 and 1e4 with few repetitions, a smoke run). Numba's kernels and JAX's functions are
generated from the expression (peer_matrix/translate.py); their compiles are excluded
from the timings (a warm-up call per N). A library that is not installed is skipped
with a note; a column with no form for a row (numexpr has no `mean`; Numba and JAX no
byte strings; nothing has an `out` for a scalar) shows "-", with the reason listed.

It prints the machine (CPU model, vector extensions, caches, cores, memory) and library
versions; a Markdown table, one line per row x N, of every column's ns per element (best
of k, k adapted to N), the ratios peer / jitex (allocating against allocating, `out`
against `out`; bold where jitex is slower) and a check of every result against NumPy's
(close for floats, exact otherwise; a different dtype with equal values is noted); a
table of cold-compile times (first call of an expression never compiled before) for
jitex, numexpr, Numba and JAX; and a summary of the cells where jitex loses. --plot
saves one log-log subplot per row, --json the raw numbers. Exits 1 when a jitex result
differs from NumPy's. At N = 1e8 the inputs take about 9 GB of memory; --max-exp 7 on
smaller machines.

Needs numpy; the default, --language and --in-process modes need numexpr (`pip install
numpy numexpr`); --in-process needs jitex's Python package (`maturin develop` in
python/), --plot needs matplotlib; --peers uses numexpr, numba, jax and jaxlib when
installed.
"""
import argparse
import math
import os
import platform
import re
import subprocess
import sys

import numpy as np

from peer_matrix.timing import best_time

try:
    import numexpr as ne
except ImportError:  # --peers skips it with a note; the other modes need it
    ne = None

try:
    import jitex
except ImportError:  # only --in-process needs the binding
    jitex = None

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

# --in-process: the timed calls, in column order, and the expressions timed at N = 1 for
# per-call overhead.
LIBS = ("NumPy", "numexpr", "jitex evaluate", "jitex kernel")
OVERHEAD = SUITE[:2]


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
            progress(f"{label} N=1e{e}")
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
    progress_done()
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


def progress(message):
    print(f"\r{message}".ljust(72), end="", file=sys.stderr, flush=True)


def progress_done():
    print("\r".ljust(73), file=sys.stderr)


def numpy_call(expr, local):
    """NumPy's evaluation of a suite expression on `local`, as a no-argument callable
    (parsed once here, so that small N times NumPy rather than Python's parser)."""
    code = compile(expr, "<suite>", "eval")
    ns = dict(NUMPY_FUNCS, **local)
    return lambda: eval(code, {"__builtins__": {}}, ns)  # noqa: S307 — our own fixed suite


def same(got, want):
    if want.dtype.kind == "f":
        return np.allclose(got, want, rtol=1e-6, equal_nan=True)
    return np.array_equal(got, want)


def machine_info(threads):
    """Lines describing the CPU, the threads used and the library versions."""
    model, cores = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            fields = [line.split(":", 1) for line in f if ":" in line]
    except OSError:
        fields = []
    core = {}
    for key, value in ((k.strip(), v.strip()) for k, v in fields):
        if key in ("model name", "Model") and value:
            model = value
        elif key in ("physical id", "core id"):
            core[key] = value
            if len(core) == 2:
                cores.add((core.pop("physical id"), core.pop("core id")))
    logical = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical
    physical = f", {len(cores)} physical" if cores else ""
    return [
        f"CPU: {model} ({logical} logical cores{physical}, {usable} usable by this process)",
        f"Threads: numexpr {ne.get_num_threads()}, jitex {jitex.get_num_threads()} (asked for {threads});"
        " NumPy's ufuncs run on one",
        f"Python {platform.python_version()}, NumPy {np.__version__}, numexpr {ne.__version__},"
        f" jitex {jitex.__version__}",
    ]


def contenders(expr, local, kernel, out, fresh=False):
    """The timed calls, by LIBS name: NumPy allocates, the others write into `out` (or,
    with `fresh`, allocate their results too)."""
    args = [local[name] for name in kernel.input_names]
    if fresh:
        return {
            "NumPy": numpy_call(expr, local),
            "numexpr": lambda: ne.evaluate(expr, local_dict=local),
            "jitex evaluate": lambda: jitex.evaluate(expr, local_dict=local),
            "jitex kernel": lambda: kernel(*args),
        }
    return {
        "NumPy": numpy_call(expr, local),
        "numexpr": lambda: ne.evaluate(expr, local_dict=local, out=out),
        "jitex evaluate": lambda: jitex.evaluate(expr, local_dict=local, out=out),
        "jitex kernel": lambda: kernel(*args, out=out),
    }


def agrees(fn, out, want):
    """Whether `fn`, writing into `out`, reproduces `want`; `out` is first set to values
    that differ from `want` everywhere, so that a call that writes nothing fails."""
    out[...] = ~want if want.dtype == bool else want + 1
    fn()
    return same(out, want)


def time_row(expr, local, kernel, timing, check, fresh=False):
    """Seconds per call of each of LIBS on `local`, and whether both jitex calls matched
    NumPy (None when not checked)."""
    want = numpy_call(expr, local)()
    out = np.empty_like(want)
    fns = contenders(expr, local, kernel, out, fresh)
    ok = None
    if check and fresh:
        ok = all(r.dtype == want.dtype and same(r, want)
                 for r in (fns["jitex evaluate"](), fns["jitex kernel"]()))
    elif check:
        args = [local[name] for name in kernel.input_names]
        ok = (kernel(*args).dtype == want.dtype
              and agrees(fns["jitex evaluate"], out, want) and agrees(fns["jitex kernel"], out, want))
    times = {}
    for lib, fn in fns.items():
        fn()  # compiles (numexpr, jitex) and faults `out` in before the clock starts
        times[lib] = best_time(fn, *timing)
    return times, ok


def print_overhead(timing):
    """Per-call cost of cached expressions at N = 1, in µs."""
    data = generate(1)
    print("Per-call overhead at N = 1 (cached expression; numexpr and jitex write into `out`),"
          " µs per call, best of several batches:\n")
    print("| expression | NumPy | numexpr.evaluate | jitex.evaluate | jitex kernel | numexpr / jitex.evaluate |")
    print("|---|--:|--:|--:|--:|--:|")
    for expr, names in OVERHEAD:
        progress(f"overhead {expr}")
        local = {k: data[k] for k in names.split()}
        times, _ = time_row(expr, local, jitex.compile(expr), timing, check=False)
        us = " | ".join(f"{times[lib] * 1e6:.2f}" for lib in LIBS)
        print(f"| `{expr}` | {us} | {times['numexpr'] / times['jitex evaluate']:.2f} |")
    progress_done()


def print_table(rows, threads, check, fresh):
    writes = "allocate their results, as NumPy does" if fresh else "write into a preallocated out, NumPy allocates"
    print(f"ns per element, best of k; {threads} threads for numexpr and jitex. numexpr and jitex"
          f" {writes}. Ratios are against jitex evaluate.\n")
    head = "| expression | N | " + " | ".join(LIBS) + " | NumPy / jitex | numexpr / jitex |"
    print(head + (" check |" if check else ""))
    print("|---|---|" + "--:|" * (len(LIBS) + 2) + ("---|" if check else ""))
    for expr, e, times, ok in rows:
        per_el = " | ".join(f"{times[lib] * 1e9 / 10**e:.3f}" for lib in LIBS)
        jit = times["jitex evaluate"]
        line = f"| `{expr}` | 1e{e} | {per_el} | {times['NumPy'] / jit:.2f} | {times['numexpr'] / jit:.2f} |"
        print(line + ((" ok |" if ok else " MISMATCH |") if check else ""))


def plot(path, rows, title):
    """One log-log subplot of ns per element against N per suite expression."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {
        "NumPy": dict(color="C0", marker="o"),
        "numexpr": dict(color="C1", marker="s"),
        "jitex evaluate": dict(color="C2", marker="^"),
        "jitex kernel": dict(color="C2", marker="v", linestyle="--", alpha=0.7),
    }
    exprs = [expr for expr, _ in SUITE]
    ncols = 4
    nrows = math.ceil((len(exprs) + 1) / ncols)  # one spare panel for the legend
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows), squeeze=False)
    axes = axes.flat
    for i, expr in enumerate(exprs):
        ax = axes[i]
        mine = [(e, times) for x, e, times, _ in rows if x == expr]
        for lib in LIBS:
            ax.loglog([10**e for e, _ in mine], [t[lib] * 1e9 / 10**e for e, t in mine], label=lib,
                      markersize=4, **styles[lib])
        ax.set_title(expr, fontsize=10, family="monospace")
        ax.grid(True, which="major", alpha=0.3)
        if i % ncols == 0:
            ax.set_ylabel("ns / element")
        if i + ncols >= len(exprs):
            ax.set_xlabel("N")
    for ax in axes[len(exprs):]:
        ax.axis("off")
    axes[len(exprs)].legend(*axes[0].get_legend_handles_labels(), loc="center", fontsize=11)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def in_process(args, threads):
    """NumPy, numexpr and jitex's Python binding in this process; see the module docstring."""
    if jitex is None:
        sys.exit("--in-process needs jitex's Python package: `maturin develop` in python/")
    top = min(args.max_exp or 8, 5 if args.quick else 8)
    exponents = range(1, top + 1)
    timing = (0.005, 2, 3) if args.quick else (0.2, 3, 15)
    overhead_timing = (0.01, 3, 5, 1e-3) if args.quick else (0.3, 5, 20, 1e-2)
    ne.set_num_threads(threads)
    jitex.set_num_threads(threads)
    info = machine_info(threads)
    print("\n".join(info) + "\n")
    print_overhead(overhead_timing)

    data = generate(10**top)
    rows = []
    wanted = [w for w in (args.rows or "").split(",") if w]
    suite = [(x, n) for x, n in SUITE if not wanted or any(w in x for w in wanted)]
    for k, (expr, names) in enumerate(suite, 1):
        kernel = jitex.compile(expr)
        for e in exponents:
            progress(f"[{k:>2}/{len(suite)}] {expr} N=1e{e}")
            local = {name: data[name][: 10**e] for name in names.split()}
            times, ok = time_row(expr, local, kernel, timing, args.check, args.fresh)
            rows.append((expr, e, times, ok))
    progress_done()
    print()
    print_table(rows, threads, args.check, args.fresh)
    if args.plot:
        plot(args.plot, rows, f"{info[0]}\n{info[1]}\n{info[2]}")
        print(f"\nplot: {args.plot}")
    return 1 if args.check and not all(ok for *_, ok in rows) else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="N = 1e3, 1e5 only (--in-process: 1e1..1e5; --peers: 1e3, 1e4), few repetitions")
    ap.add_argument("--threads", type=int, default=None,
                    help="threads for the 'all' columns (--in-process: for numexpr and jitex; --peers: for all)")
    ap.add_argument("--jitex", default=None, help="path of a jitex binary to run alongside")
    ap.add_argument("--language", action="store_true", help="the language-feature suite")
    ap.add_argument("--in-process", action="store_true",
                    help="time NumPy, numexpr and jitex's Python binding in this process")
    ap.add_argument("--peers", action="store_true",
                    help="the peer matrix: NumPy, numexpr, Numba, JAX and jitex on the extended rows")
    ap.add_argument("--max-exp", type=int, default=None,
                    help="--in-process, --peers: largest N is 1e<this> (default 8)")
    ap.add_argument("--check", action="store_true",
                    help="--in-process: check jitex's results against NumPy's; exit 1 on a mismatch")
    ap.add_argument("--rows", default=None,
                    help="--in-process, --peers: only rows whose expression contains one of these comma-separated"
                         " texts")
    ap.add_argument("--plot", metavar="PATH.png", default=None, help="--in-process, --peers: save a figure there")
    ap.add_argument("--fresh", action="store_true",
                    help="--in-process: numexpr and jitex allocate their results instead of writing into out")
    ap.add_argument("--libs", default=None,
                    help="--peers: only these of numpy,numexpr,numba,jax,jitex (NumPy, the reference, always runs)")
    ap.add_argument("--json", metavar="PATH", default=None, help="--peers: save the raw numbers there")
    args = ap.parse_args()
    if args.threads is not None and args.threads < 1:
        ap.error("--threads must be >= 1")
    if args.max_exp is not None and args.max_exp < 1:
        ap.error("--max-exp must be >= 1")
    if args.peers:
        if args.in_process or args.language or args.jitex or args.check or args.fresh:
            ap.error("--peers takes none of --in-process, --language, --jitex, --check (it always checks), --fresh")
        if args.max_exp is not None and args.max_exp < 3:
            ap.error("--peers: --max-exp must be >= 3 (the 2-D rows have 1000 columns)")
        from peer_matrix.run import main as peers_main

        return peers_main(args)
    if args.libs or args.json:
        ap.error("--libs and --json go with --peers")
    if ne is None:
        sys.exit("this mode needs numexpr: pip install numexpr")
    if args.in_process and (args.language or args.jitex):
        ap.error("--in-process times jitex's Python binding; it takes neither --language nor --jitex")
    if not args.in_process and (args.check or args.plot or args.max_exp is not None or args.fresh or args.rows):
        ap.error("--check, --plot, --max-exp, --rows and --fresh go with --in-process or --peers")

    exponents = [3, 5] if args.quick else [3, 5, 7]
    budget, min_reps, max_reps = (0.005, 2, 3) if args.quick else (0.2, 3, 15)
    all_threads = args.threads or int(os.environ.get("JITEX_NUM_THREADS", 0)) or os.cpu_count() or 1
    if args.in_process:
        return in_process(args, all_threads)
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
            progress(f"[{step:>2}/{total}] {expr} N=1e{e}")
            local = {k: data[k][:n] for k in names.split()}
            np_fn = numpy_call(expr, local)
            want = np_fn()
            out = np.empty_like(want)
            t_np = best_time(np_fn, budget, min_reps, max_reps)
            ne.set_num_threads(1)
            t_ne1 = best_time(lambda: ne.evaluate(expr, local_dict=local, out=out), budget, min_reps, max_reps)
            ne.set_num_threads(all_threads)
            t_nen = best_time(lambda: ne.evaluate(expr, local_dict=local, out=out), budget, min_reps, max_reps)
            rows.append((expr, f"1e{e}", t_np, t_ne1, t_nen, same(out, want)))
    progress_done()

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
