"""The contenders timed in this process: NumPy, numexpr, Numba and jitex.

Each library that imports gives, per row and N, a callable per column:

* NumPy: the expression with NumPy's functions, allocating its temporaries and result.
* numexpr: `ne.evaluate(expr, local_dict=...)` (allocating, as users call it) and with
  `out=` (element-wise rows only).
* Numba: `@njit(parallel=True, error_model="numpy")` kernels with `prange` (fastmath
  off), one allocating its result inside the function, one writing into a preallocated
  `out`; sources from `translate.numba_source`. `error_model="numpy"` gives NumPy's
  semantics (no ZeroDivisionError checks in `//` and `%`).
* jitex: `jitex.evaluate(expr, local_dict=...)`, allocating, and with `out=`.

A column with no form for a row (numexpr has no `mean`, no reduction inside an
expression; nothing has an `out` for a scalar result; Numba has no byte strings) raises
`Skip` and shows "-".
"""
import os

import numpy as np

from . import translate
from .timing import first_call

#: Every column of the matrix, in order ("JAX" is filled in by the subprocess).
COLUMNS = ("NumPy", "numexpr", "numexpr out", "Numba", "Numba out", "JAX", "jitex", "jitex out")
#: (peer, jitex column) pairs whose time ratio the table shows: > 1 where jitex is faster.
RATIOS = (("NumPy", "jitex"), ("numexpr", "jitex"), ("Numba", "jitex"), ("JAX", "jitex"),
          ("numexpr out", "jitex out"), ("Numba out", "jitex out"))
#: Libraries whose cold compile (first call of an expression never seen before) is timed.
COLD = ("jitex", "numexpr", "Numba", "JAX")


#: The reason every `out` column gives for a scalar result.
SCALAR_NO_OUT = "scalar result: no out"


class Skip(Exception):
    """This column has no form for this row."""


class NumPy:
    name, columns = "NumPy", ("NumPy",)
    version = np.__version__

    def calls(self, row, env, want, out):
        return {"NumPy": translate.numpy_call(row.expr, env)}


class Numexpr:
    name, columns = "numexpr", ("numexpr", "numexpr out")
    cold_reps = 3

    def __init__(self, ne, threads):
        self.ne, self.version = ne, ne.__version__
        ne.set_num_threads(threads)
        self.threads = ne.get_num_threads()
        self._unique = 0

    def calls(self, row, env, want, out):
        ne, expr = self.ne, row.expr
        calls = {"numexpr": lambda: ne.evaluate(expr, local_dict=env)}
        if want.ndim > 0:
            calls["numexpr out"] = lambda: ne.evaluate(expr, local_dict=env, out=out)
        return calls

    def cold(self, row, env):
        """Seconds of numexpr's first evaluation of a text it has not cached (the row's,
        with a run of trailing spaces never used before)."""
        self._unique += 1
        text = row.expr + " " * self._unique
        return first_call(lambda: self.ne.evaluate(text, local_dict=env))


class Numba:
    name, columns = "Numba", ("Numba", "Numba out")
    cold_reps = 1  # its cold compile is the first call of the timed kernel, recorded once

    def __init__(self, numba, threads):
        self.numba, self.version = numba, numba.__version__
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        self.threads = numba.get_num_threads()
        self._kernels = {}  # (expr, allocating) -> dispatcher, or the Skip it raised
        self.cold_s = {}  # expr -> seconds of the first (compiling) call

    def layer(self):
        """The threading layer Numba chose (known once a parallel kernel has run)."""
        try:
            return self.numba.threading_layer()
        except ValueError:
            return "not yet chosen"

    def _kernel(self, row, dtype, allocating):
        key = (row.expr, allocating)
        if key not in self._kernels:
            try:
                if not row.compiled_peers:
                    raise Skip("no byte-string form")
                try:
                    src = translate.numba_source(row.expr, row.inputs, dtype, allocating)
                except translate.Untranslatable as e:
                    raise Skip(str(e)) from None
                ns = {"np": np, "prange": self.numba.prange, "DT": dtype.type,
                      "nthreads": self.numba.get_num_threads}
                exec(compile(src, f"<numba {row.expr}>", "exec"), ns)  # noqa: S102 — our own translation
                self._kernels[key] = self.numba.njit(parallel=True, error_model="numpy")(ns["kernel"])
            except Skip as e:
                self._kernels[key] = e
        k = self._kernels[key]
        if isinstance(k, Skip):
            raise k
        return k

    def calls(self, row, env, want, out):
        args = [env[name] for name in row.inputs]
        calls = {}
        try:
            alloc = self._kernel(row, want.dtype, True)
            calls["Numba"] = lambda: alloc(*args)
            if row.expr not in self.cold_s:
                # The first call compiles: that is the cold compile.
                try:
                    self.cold_s[row.expr] = first_call(calls["Numba"])
                except Exception as err:  # noqa: BLE001 — Numba cannot type it: "-" and why
                    self._kernels[(row.expr, True)] = Skip(f"{type(err).__name__}: {str(err).strip()[:80]}")
                    raise self._kernels[(row.expr, True)] from None
        except Skip as e:
            calls["Numba"] = e
        if want.ndim > 0:
            try:
                into = self._kernel(row, want.dtype, False)
                calls["Numba out"] = lambda: into(*args, out)
            except Skip as e:
                calls["Numba out"] = e
        return calls

    def cold(self, row, env):
        """Seconds of the first call of the allocating kernel (its compile)."""
        return self.cold_s.get(row.expr)


class Jitex:
    name, columns = "jitex", ("jitex", "jitex out")
    cold_reps = 3

    def __init__(self, jitex, threads):
        self.jitex, self.version = jitex, jitex.__version__
        jitex.set_num_threads(threads)
        self.threads = jitex.get_num_threads()
        self._unique = 0

    def calls(self, row, env, want, out):
        jx, expr = self.jitex, row.expr
        calls = {"jitex": lambda: jx.evaluate(expr, local_dict=env)}
        if want.ndim > 0:
            calls["jitex out"] = lambda: jx.evaluate(expr, local_dict=env, out=out)
        return calls

    def cold(self, row, env):
        """Seconds of jitex's first evaluation of a text it has not compiled (the row's,
        with a run of trailing spaces never used before: its kernel cache is keyed by
        the text)."""
        self._unique += 1
        text = row.expr + " " * self._unique
        return first_call(lambda: self.jitex.evaluate(text, local_dict=env))


def load(threads, wanted):
    """The in-process libraries that import (of those named in `wanted`, all if empty),
    and a note for each one missing. NUMBA_NUM_THREADS must be set before this.

    They are timed in this order within each cell: Numba last, since its OpenMP threads
    spin for a while after each parallel loop, which would steal cycles from the
    library timed next."""
    libs, notes = [NumPy()], []
    want = lambda name: not wanted or name.lower() in wanted  # noqa: E731
    if want("numexpr"):
        try:
            import numexpr

            libs.append(Numexpr(numexpr, threads))
        except ImportError as e:
            notes.append(f"numexpr skipped: not installed ({e})")
    if want("jitex"):
        try:
            import jitex

            libs.append(Jitex(jitex, threads))
        except ImportError as e:
            notes.append(f"jitex skipped: its Python package is not installed (`maturin develop` in python/; {e})")
    if want("numba"):
        try:
            import numba

            libs.append(Numba(numba, threads))
        except ImportError as e:
            notes.append(f"Numba skipped: not installed ({e})")
    return libs, notes


def set_numba_threads(threads):
    """Numba reads its thread count when imported: set it before."""
    os.environ["NUMBA_NUM_THREADS"] = str(threads)
