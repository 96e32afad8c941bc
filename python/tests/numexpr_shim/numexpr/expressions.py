"""Shim: numexpr.expressions is jitex.expressions."""
from jitex.expressions import *  # noqa: F401,F403
from jitex.expressions import ConstantNode, E, ExpressionNode, VariableNode, getKind  # noqa: F401
