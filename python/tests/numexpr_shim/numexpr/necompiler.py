"""Shim: numexpr.necompiler is jitex.necompiler."""
from jitex.necompiler import *  # noqa: F401,F403
from jitex.necompiler import getExprNames  # noqa: F401
