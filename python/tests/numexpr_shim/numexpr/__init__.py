"""Test-only shim: serves jitex as `numexpr`, so that numexpr's own, unmodified test
suite runs against jitex (python/tests/run_numexpr_suite.py puts this folder first on
PYTHONPATH, for the test process and the subprocesses its tests start)."""

import jitex as _jitex
from jitex import *  # noqa: F401,F403
from jitex import __version__, _init_num_threads, ncores, nthreads  # noqa: F401
from jitex import expressions, necompiler, utils  # noqa: F401

# numexpr's module-level names that are not part of jitex's own surface.
__BLOCK_SIZE1__ = 1024
is_cpu_amd_intel = False
test = None
print_versions = _jitex.print_versions
