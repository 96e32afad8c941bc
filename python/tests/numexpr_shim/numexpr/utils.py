"""Shim: numexpr.utils is jitex.utils."""
from jitex.utils import *  # noqa: F401,F403
from jitex.utils import (  # noqa: F401
    MAX_THREADS, _init_num_threads, detect_number_of_cores, detect_number_of_threads,
    get_num_threads, get_vml_num_threads, get_vml_version, set_num_threads,
    set_vml_accuracy_mode, set_vml_num_threads, use_vml,
)
