"""The peer matrix (benches/python/compare.py --peers): its translations of each row into
a Numba kernel and a NumPy call compute NumPy's result, jitex agrees on every row, and a
smoke run works with only NumPy and jitex (Numba and JAX need not be installed)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import jitex

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "benches", "python")
sys.path.insert(0, BENCH)

from peer_matrix import rows, translate  # noqa: E402
from peer_matrix.timing import same  # noqa: E402

N = 2 * rows.COLS_2D  # two rows of the 2-D inputs


def _python_kernel(row, dtype, allocating):
    """The Numba source run as plain Python (`prange` is `range`): the translation alone,
    whether or not Numba is installed."""
    src = translate.numba_source(row.expr, row.inputs, dtype, allocating)
    ns = {"np": np, "prange": range, "DT": dtype.type, "nthreads": lambda: 3}
    exec(compile(src, "<test>", "exec"), ns)  # noqa: S102 — the translation under test
    return ns["kernel"]


@pytest.mark.parametrize("row", rows.ROWS, ids=lambda r: r.expr)
def test_translations_and_jitex_match_numpy(row):
    env = rows.env(row, rows.generate(row.inputs, N), N)
    want = np.asarray(translate.numpy_call(row.expr, env)())
    got = jitex.evaluate(row.expr, local_dict=env)
    assert got.dtype == want.dtype and same(got, want)
    if not row.compiled_peers:
        return  # byte strings: no Numba or JAX column
    args = [env[name] for name in row.inputs]
    assert same(np.asarray(_python_kernel(row, want.dtype, True)(*args)), want)
    if want.ndim:
        out = np.zeros_like(want)
        _python_kernel(row, want.dtype, False)(*args, out)
        assert same(out, want)
    else:
        with pytest.raises(translate.Untranslatable):
            translate.numba_source(row.expr, row.inputs, want.dtype, False)


def test_translation_keeps_float32_literals():
    src = translate.numba_source("2*x + 3*y", ("x", "y"), np.dtype(np.float32), False)
    assert "np.float32(2) * x[i] + np.float32(3) * y[i]" in src


def test_quick_run_with_numpy_and_jitex_only():
    cmd = [sys.executable, os.path.join(BENCH, "compare.py"), "--peers", "--quick", "--libs", "numpy,jitex",
           "--rows", "a*b + c,axis=0,s =="]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "| expression | N | NumPy | jitex | jitex out | NumPy / jitex | check |" in lines
    body = [line for line in lines if line.startswith("| `")]
    # 4 rows (`axis=0` picks `max(a, axis=0)` and `sum(a, axis=0)`) x N in {1e3, 1e4} in
    # the timing table, then 4 rows in the cold-compile table.
    assert len(body) == 12 and all(line.endswith("| ok |") for line in body[:8])
