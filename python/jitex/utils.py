"""Threads and the numexpr-compatible configuration functions.

jitex runs its kernels on a rayon thread pool. The number of threads follows numexpr's
rules, read once at import (``_init_num_threads``): ``JITEX_NUM_THREADS`` first, then
``NUMEXPR_NUM_THREADS``, then ``OMP_NUM_THREADS``, else the detected cores capped at 16
unless ``NUMEXPR_MAX_THREADS`` or ``OMP_NUM_THREADS`` is set. ``MAX_THREADS`` is
``NUMEXPR_MAX_THREADS`` when set, else 64. jitex has no VML: ``use_vml`` is False and the
``*_vml_*`` functions are harmless no-ops that return None.
"""

import os
import subprocess

from . import _jitex

use_vml = False


def _max_threads():
    try:
        n = int(os.environ.get("NUMEXPR_MAX_THREADS", ""))
    except ValueError:
        return 64
    return max(n, 1)


MAX_THREADS = _max_threads()


def get_vml_version():
    """jitex uses no VML library: always None."""
    return None


def set_vml_accuracy_mode(mode):
    """Accepted for numexpr compatibility; jitex has no VML. Returns None."""
    if mode not in (None, "high", "low", "fast"):
        raise ValueError("mode argument must be one of: None, 'high', 'low', 'fast'")
    return None


def set_vml_num_threads(nthreads):
    """Accepted for numexpr compatibility; jitex has no VML. Returns None."""
    return None


def get_vml_num_threads():
    """jitex has no VML: always None."""
    return None


def set_num_threads(nthreads):
    """Sets the number of threads kernels use and returns the previous setting.

    Raises ValueError when ``nthreads`` is below 1 or above ``MAX_THREADS``.
    """
    nthreads = int(nthreads)
    if nthreads > MAX_THREADS:
        raise ValueError(
            'nthreads cannot be larger than environment variable "NUMEXPR_MAX_THREADS" '
            "(%d)" % MAX_THREADS
        )
    return _jitex.set_num_threads(nthreads)


def get_num_threads():
    """The number of threads kernels use."""
    return _jitex.get_num_threads()


def detect_number_of_cores():
    """The number of online cores (at least 1)."""
    if hasattr(os, "sysconf") and "SC_NPROCESSORS_ONLN" in os.sysconf_names:
        n = os.sysconf("SC_NPROCESSORS_ONLN")
        if isinstance(n, int) and n > 0:
            return n
    elif hasattr(os, "sysconf"):  # macOS
        try:
            return int(subprocess.check_output(["sysctl", "-n", "hw.ncpu"]))
        except (OSError, ValueError, subprocess.CalledProcessError):
            pass
    try:
        n = int(os.environ.get("NUMBER_OF_PROCESSORS", ""))
        if n > 0:
            return n
    except ValueError:
        pass
    return 1


def _env_int(name):
    value = os.environ.get(name, "")
    return int(value) if value != "" else None


def _init_num_threads():
    """Sets the thread count from the environment (numexpr's rules, with
    ``JITEX_NUM_THREADS`` first) and returns it."""
    n_cores = detect_number_of_cores()
    if os.environ.get("NUMEXPR_MAX_THREADS", "") != "" or os.environ.get("OMP_NUM_THREADS", "") != "":
        n_cores = MAX_THREADS
    elif n_cores > 16:
        n_cores = 16
    requested = None
    for var in ("JITEX_NUM_THREADS", "NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS"):
        requested = _env_int(var)
        if requested is not None:
            break
    if requested is None:
        requested = n_cores
    requested = max(1, min(requested, MAX_THREADS))
    set_num_threads(requested)
    return requested


def detect_number_of_threads():
    """Deprecated in numexpr: the thread count the environment asks for."""
    for var in ("JITEX_NUM_THREADS", "NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS"):
        try:
            n = int(os.environ.get(var, ""))
        except ValueError:
            continue
        return min(n, MAX_THREADS)
    return min(detect_number_of_cores(), MAX_THREADS)
