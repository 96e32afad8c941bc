"""jitex: a Numexpr-style array-expression JIT compiler, and a drop-in replacement for
numexpr.

    import jitex as ne
    ne.evaluate("2*a + 3*sin(b)**2")          # names from the caller's frame

    k = jitex.compile("2*a + 3*sin(b)**2")    # the fast path: compile once
    k(a, b)                                   # or k(a=a, b=b), out=..., casting=...

The expression is parsed, typed with NumPy 2's rules and compiled by the Rust crate into
one fused native loop that runs on all cores; this package only resolves names and
converts arrays. ``install_as_numexpr()`` makes ``import numexpr`` give jitex.
"""

import sys as _sys

from . import _jitex, expressions, necompiler, utils
from ._jitex import Kernel
from .errors import OperandTypeError
from .expressions import E
from .necompiler import NumExpr, compile, disassemble, evaluate, re_evaluate, validate
from .utils import (
    MAX_THREADS,
    _init_num_threads,
    detect_number_of_cores,
    detect_number_of_threads,
    get_num_threads,
    get_vml_num_threads,
    get_vml_version,
    set_num_threads,
    set_vml_accuracy_mode,
    set_vml_num_threads,
    use_vml,
)

__version__ = _jitex.__version__

#: The numexpr release whose API jitex mirrors (``__version__`` of the module that
#: ``install_as_numexpr`` installs).
NUMEXPR_API_VERSION = "2.14.2"

__all__ = [
    "E",
    "Kernel",
    "OperandTypeError",
    "NumExpr",
    "compile",
    "disassemble",
    "evaluate",
    "re_evaluate",
    "validate",
    "set_num_threads",
    "get_num_threads",
    "detect_number_of_cores",
    "detect_number_of_threads",
    "ncores",
    "nthreads",
    "MAX_THREADS",
    "use_vml",
    "get_vml_version",
    "set_vml_accuracy_mode",
    "set_vml_num_threads",
    "get_vml_num_threads",
    "install_as_numexpr",
    "print_versions",
    "__version__",
]

ncores = detect_number_of_cores()
nthreads = _init_num_threads()


def print_versions():
    """Prints the versions of jitex, NumPy and Python, and the thread settings."""
    import platform

    import numpy

    print("-=" * 38)
    print("jitex version:     %s (numexpr API %s)" % (__version__, NUMEXPR_API_VERSION))
    print("NumPy version:     %s" % numpy.__version__)
    print("Python version:    %s" % _sys.version)
    uname = platform.uname()
    print("Platform:          %s-%s-%s" % (_sys.platform, uname.machine, uname.version))
    print("VML available?     %s" % use_vml)
    print("Number of threads used by default: %d (out of %d detected cores)" % (nthreads, ncores))
    print("Maximum number of threads: %s" % MAX_THREADS)
    print("-=" * 38)


def install_as_numexpr():
    """Makes ``import numexpr`` (and ``numexpr.necompiler``, ``.expressions``, ``.utils``)
    give jitex, so that libraries written for numexpr, such as pandas' ``eval`` and
    ``query``, use it. Call it before those libraries import numexpr. Returns the module
    installed as ``numexpr``; its ``__version__`` is the numexpr API version jitex
    mirrors, so version checks written for numexpr pass.

    That module types expressions with numexpr's rules rather than NumPy's, so such code
    gets numexpr's result dtypes (``int32 * float32`` is float32, ``abs`` of an integer is
    float64, an integer ``sum`` keeps its kind); ``jitex`` itself keeps NumPy's. Its
    ``evaluate``, ``NumExpr`` and ``re_evaluate`` have their own kernel cache and last call.
    """
    import importlib.util
    import types

    existing = _sys.modules.get("numexpr")
    if existing is not None and getattr(existing, "__jitex__", False):
        return existing
    # A second instance of jitex.necompiler, whose functions see `_TYPING = "numexpr"`.
    spec = importlib.util.find_spec("jitex.necompiler")
    typed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(typed)
    typed._TYPING = "numexpr"
    module = types.ModuleType("numexpr", __doc__)
    for name in __all__:
        value = getattr(typed, name, None) if name in necompiler.__all__ else None
        setattr(module, name, value if value is not None else globals()[name])
    module._init_num_threads = _init_num_threads
    module.__version__ = NUMEXPR_API_VERSION
    module.__jitex__ = True
    module.__jitex_version__ = __version__
    module.necompiler = typed
    module.expressions = expressions
    module.utils = utils
    module.__path__ = []  # a package, so that `import numexpr.utils` resolves below
    _sys.modules["numexpr"] = module
    _sys.modules["numexpr.necompiler"] = typed
    _sys.modules["numexpr.expressions"] = expressions
    _sys.modules["numexpr.utils"] = utils
    return module
