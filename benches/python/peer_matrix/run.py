"""Runs the peer matrix (`compare.py --peers`) and prints it; see compare.py's docstring."""
import os
import sys

import numpy as np

from . import jax_worker, libs, machine, report, rows, timing, translate

#: Library names `--libs` accepts.
LIB_NAMES = ("numpy", "numexpr", "numba", "jax", "jitex")


def _usable_cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _progress(message):
    print(f"\r{message}".ljust(72), end="", file=sys.stderr, flush=True)


def _progress_done():
    print("\r".ljust(73), file=sys.stderr)


def _error_text(err):
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0][:120] if text else ''}"


def _cold(lib, row, env):
    """Best of the library's `cold_reps` cold compiles of the row, or None."""
    try:
        times = [lib.cold(row, env) for _ in range(lib.cold_reps)]
    except Exception:  # noqa: BLE001 — no form for this row: the timed column says why
        return None
    return None if None in times else min(times)


def measure_row(row, data, exponents, in_process, timing_args, cold, skipped):
    """The row's cells at each N, timing every in-process column; fills `cold` and
    `skipped` for the row."""
    cells, failed = [], skipped.setdefault(row.expr, {})
    cold_row = cold.setdefault(row.expr, {})
    for e in exponents:
        env = rows.env(row, data, 10**e)
        want = np.asarray(translate.numpy_call(row.expr, env)())
        out = np.empty_like(want) if want.ndim else None
        cell = {"expr": row.expr, "group": row.group, "e": e, "n": 10**e, "seconds": {}, "check": {}}
        for lib in in_process:
            calls = lib.calls(row, env, want, out)
            for col in lib.columns:
                fn = calls.get(col, libs.Skip(libs.SCALAR_NO_OUT))
                if isinstance(fn, libs.Skip):
                    failed.setdefault(col, str(fn))
                    continue
                if col in failed:
                    continue
                try:
                    if col.endswith(" out"):
                        timing.spoil(out, want)
                        fn()
                        got = out
                    else:
                        got = fn()
                except Exception as err:  # noqa: BLE001 — a peer without this form: "-" and why
                    failed[col] = _error_text(err)
                    continue
                cell["check"][col] = timing.check(got, want)
                del got
                cell["seconds"][col] = timing.best_time(fn, *timing_args)
            if e == exponents[0] and lib.name in libs.COLD:
                cold_row[lib.name] = _cold(lib, row, env)
        cells.append(cell)
    return cells


def main(args):
    """Runs the matrix for the parsed `compare.py --peers` arguments; returns the exit
    status (1 when a jitex result differs from NumPy's)."""
    threads = args.threads or int(os.environ.get("JITEX_NUM_THREADS") or 0) or _usable_cores()
    top = min(args.max_exp or 8, 4 if args.quick else 8)
    exponents = list(range(3, top + 1))
    timing_args = timing.QUICK if args.quick else timing.FULL
    wanted_rows = [w for w in (args.rows or "").split(",") if w]
    selected = rows.select(wanted_rows)
    if not selected:
        sys.exit(f"--rows {args.rows!r} matches no row")
    wanted_libs = {w.strip().lower() for w in (args.libs or "").split(",") if w.strip()}
    unknown = wanted_libs - set(LIB_NAMES)
    if unknown:
        sys.exit(f"--libs: unknown {sorted(unknown)}; choose from {', '.join(LIB_NAMES)}")

    notes = []
    # JAX first, in its own process, before this one holds the inputs in memory.
    jax_result = None
    if not wanted_libs or "jax" in wanted_libs:
        if jax_worker.available():
            _progress("JAX subprocess starting")
            jax_result = jax_worker.run(selected, exponents, timing_args, threads)
            if "error" in jax_result:
                notes.append(f"JAX skipped: {jax_result['error']}")
                jax_result = None
        else:
            notes.append("JAX skipped: not installed (pip install jax jaxlib)")

    libs.set_numba_threads(threads)
    in_process, missing = libs.load(threads, wanted_libs)
    notes += missing
    names = sorted({n for r in selected for n in r.inputs})
    _progress(f"generating inputs at N = 1e{top}")
    data = rows.generate(names, 10**top)

    cells, cold, skipped = [], {}, {}
    for k, row in enumerate(selected, 1):
        _progress(f"[{k:>2}/{len(selected)}] {row.expr}")
        cells += measure_row(row, data, exponents, in_process, timing_args, cold, skipped)
    _progress_done()
    del data

    if jax_result:
        for cell in cells:
            key = (cell["expr"], cell["e"])
            if key in jax_result["times"]:
                cell["seconds"]["JAX"] = jax_result["times"][key]
                cell["check"]["JAX"] = jax_result["check"][key]
        for expr, why in jax_result["skipped"].items():
            skipped.setdefault(expr, {})["JAX"] = why
        for expr, s in jax_result["cold"].items():
            cold.setdefault(expr, {})["JAX"] = s

    info = machine.describe()
    versions = {"NumPy": np.__version__}
    threads_used = {}
    for lib in in_process[1:]:
        versions[lib.name] = lib.version
        threads_used[lib.name] = lib.threads
    if any(lib.name == "Numba" for lib in in_process):
        numba_lib = next(lib for lib in in_process if lib.name == "Numba")
        versions["Numba"] += f" (threading layer {numba_lib.layer()})"
    if jax_result:
        versions["JAX"] = jax_result["version"]
    exprs = [r.expr for r in selected]

    head = machine.lines(info) + [
        "Libraries: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"Threads: {threads} asked; " + ", ".join(f"{k} {v}" for k, v in threads_used.items())
        + "; NumPy's ufuncs run on one",
    ]
    if jax_result:
        head.append(jax_result["threads_note"])
    print("\n".join(head + [f"Note: {n}" for n in notes]))
    print()
    print(f"ns per element, best of k (k adapts to N: repetitions for {timing_args[0]} s, {timing_args[1]} to"
          f" {timing_args[2]}); 2-D rows read (N / {rows.COLS_2D}) x {rows.COLS_2D} inputs. Columns without `out`"
          " allocate their results; the `out` columns write into a preallocated array. Ratios are"
          " peer time / jitex time (allocating against allocating, out against out): bold where jitex is"
          " slower. check: each result against NumPy's (close for floats, exact otherwise).\n")
    print("\n".join(report.table(cells)))
    print("\nCold compile, ms: the first call of an expression never compiled before, at N = 1e3, including"
          " that call (jitex and numexpr: best of 3 fresh texts; Numba: the first call of the allocating"
          " kernel; JAX: trace, compile and first call in its subprocess).\n")
    print("\n".join(report.cold_table(cold, exprs)))
    print("\nWhere jitex loses:\n")
    print("\n".join(report.losses(cells)))
    skip_lines = report.skipped_lines(skipped)
    if skip_lines:
        print("\nColumns without a form (shown as -; besides the `out` columns of scalar results):\n")
        print("\n".join(skip_lines))
    mismatched = [(c["expr"], c["e"], col) for c in cells for col, v in c["check"].items() if v == "MISMATCH"]
    if mismatched:
        print("\nMISMATCHES against NumPy: " + "; ".join(f"{col} on `{x}` at 1e{e}" for x, e, col in mismatched))

    if args.plot:
        report.plot(args.plot, cells, exprs, "\n".join(head[:2] + head[3:5]))
        print(f"\nplot: {args.plot}")
    if args.json:
        report.save_json(args.json, {
            "machine": info, "versions": versions, "threads": threads, "threads_used": threads_used,
            "jax_threads": jax_result["threads_note"] if jax_result else None, "notes": notes,
            "exponents": exponents, "timing": list(timing_args), "cells": cells,
            "cold_seconds": cold, "skipped": skipped,
        })
        print(f"json: {args.json}")
    return 1 if any(col.startswith("jitex") for *_, col in mismatched) else 0
