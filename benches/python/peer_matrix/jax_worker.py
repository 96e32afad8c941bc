"""JAX's column, timed in a subprocess of its own (XLA's thread pool would otherwise stay
alive beside the other libraries' threads and disturb their timings).

`run(...)` (in the parent) starts `python -m peer_matrix.jax_worker SPEC.json OUT.json`
and reads the results back. The worker generates the same inputs (same seeds), and for
each row `jax.jit`s the expression written with `jax.numpy` (float64 on:
`jax_enable_x64`). Inputs are put on the device (host memory) once per N, outside the
clock, as JAX code keeps its arrays; each timed call ends with `block_until_ready()`.
Results are checked against NumPy's, computed in the worker. A new shape makes JAX
compile again: every N has its own warm-up call.

Threads: with T below the usable cores, the worker runs with
`XLA_FLAGS=--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=T`, the form
JAX's issue tracker gives (the first turns off Eigen's own pool, which XLA uses for dot
and convolution, not for these fused loops; on their own the two do not bound XLA's
element-wise pool, jax-ml/jax#1539), and its CPU affinity is set to T of the usable
cores before jax is imported, which bounds how many of XLA's threads run at once (XLA
also sizes its pool by the CPUs it may use). With T = all usable cores both are left
alone.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def available():
    """Whether jax can be imported (checked without importing it here)."""
    import importlib.util

    return importlib.util.find_spec("jax") is not None and importlib.util.find_spec("jaxlib") is not None


def thread_setup(threads):
    """(extra environment, CPUs to pin to or None, a sentence saying what is done)."""
    usable = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))
    if threads >= len(usable):
        return {}, None, f"JAX: its own thread pool over all {len(usable)} usable cores (XLA's default)"
    flags = (os.environ.get("XLA_FLAGS", "") +
             f" --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={threads}").strip()
    cpus = usable[:threads]
    return ({"XLA_FLAGS": flags}, cpus,
            f"JAX: XLA_FLAGS='{flags}', and its process pinned to CPUs {cpus} (sched_setaffinity),"
            f" so that at most {threads} of XLA's threads run at once")


def run(rows, exponents, timing, threads):
    """Times JAX on `rows` in a subprocess. Returns a dict: `times` {(expr, e): seconds},
    `check` {(expr, e): timing.check's verdict}, `skipped` {expr: reason}, `cold` {expr: seconds}, `version`,
    `threads_note`; or {"error": text} when the subprocess fails."""
    env_extra, cpus, note = thread_setup(threads)
    spec = {"rows": [r.expr for r in rows], "exponents": list(exponents), "timing": list(timing), "cpus": cpus}
    with tempfile.TemporaryDirectory(prefix="jitex-peers-") as tmp:
        spec_path, out_path = os.path.join(tmp, "spec.json"), os.path.join(tmp, "out.json")
        with open(spec_path, "w") as f:
            json.dump(spec, f)
        env = dict(os.environ, **env_extra)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.dirname(HERE), env.get("PYTHONPATH")]))
        proc = subprocess.run([sys.executable, "-m", "peer_matrix.jax_worker", spec_path, out_path], env=env,
                              stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0 or not os.path.exists(out_path):
            tail = proc.stdout.strip().splitlines()[-3:]
            return {"error": f"the JAX subprocess failed (exit {proc.returncode}): {' / '.join(tail)}"}
        with open(out_path) as f:
            got = json.load(f)
    return {
        "times": {(c["expr"], c["e"]): c["t"] for c in got["cells"]},
        "check": {(c["expr"], c["e"]): c["check"] for c in got["cells"]},
        "skipped": got["skipped"],
        "cold": got["cold"],
        "version": got["version"],
        "threads_note": note,
    }


def _worker(spec_path, out_path):
    with open(spec_path) as f:
        spec = json.load(f)
    if spec["cpus"]:
        os.sched_setaffinity(0, spec["cpus"])  # before jax starts its threads

    import jax
    import jax.numpy as jnp
    import jaxlib
    import numpy as np

    jax.config.update("jax_enable_x64", True)

    from . import rows as rowdefs
    from .timing import best_time, check, first_call
    from .translate import jax_function, numpy_call

    wanted = [r for r in rowdefs.ROWS if r.expr in spec["rows"]]
    exponents, timing = spec["exponents"], spec["timing"]
    names = sorted({n for r in wanted if r.compiled_peers for n in r.inputs})
    data = rowdefs.generate(names, 10 ** max(exponents))
    cells, skipped, cold = [], {}, {}
    for k, row in enumerate(wanted, 1):
        if not row.compiled_peers:
            skipped[row.expr] = "no byte-string form"
            continue
        fn = jax.jit(jax_function(row.expr, row.inputs, jnp))
        for e in exponents:
            print(f"\r[JAX {k:>2}/{len(wanted)}] {row.expr} N=1e{e}".ljust(72), end="", file=sys.stderr, flush=True)
            env = rowdefs.env(row, data, 10**e)
            args = [jax.device_put(env[name]) for name in row.inputs]
            call = lambda: fn(*args).block_until_ready()  # noqa: E731
            if row.expr not in cold:
                cold[row.expr] = first_call(call)  # trace and compile: the cold compile
            want = np.asarray(numpy_call(row.expr, env)())
            got = np.asarray(fn(*args))
            cells.append({"expr": row.expr, "e": e, "t": best_time(call, *timing),
                          "check": check(got, want)})
            args = got = call = None  # frees this N's device buffers before the next
    print("\r".ljust(73), file=sys.stderr)
    with open(out_path, "w") as f:
        json.dump({"cells": cells, "skipped": skipped, "cold": cold,
                   "version": f"{jax.__version__} (jaxlib {jaxlib.__version__})"}, f)


if __name__ == "__main__":
    _worker(*sys.argv[1:3])
