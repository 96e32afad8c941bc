"""Test-only shim: serves jitex as `numexpr`, so that numexpr's own, unmodified test
suite runs against jitex (python/tests/run_numexpr_suite.py puts this folder first on
PYTHONPATH, for the test process and the subprocesses its tests start).

It is what `jitex.install_as_numexpr()` installs (numexpr's typing rules included); the
import of this package then yields that module, as Python returns `sys.modules['numexpr']`.
"""

import jitex as _jitex

_module = _jitex.install_as_numexpr()

# numexpr's module-level names that are not part of jitex's own surface.
_module.__BLOCK_SIZE1__ = 1024
_module.is_cpu_amd_intel = False
_module.test = None
