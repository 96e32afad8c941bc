"""Type stubs for jitex, a drop-in replacement for numexpr."""

from typing import Any, Literal, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import expressions as expressions
from . import necompiler as necompiler
from . import utils as utils
from ._jitex import Kernel as Kernel
from .errors import OperandTypeError as OperandTypeError
from .expressions import E as E
from .necompiler import _NumExpr

__version__: str
NUMEXPR_API_VERSION: str
MAX_THREADS: int
ncores: int
nthreads: int
use_vml: bool

_Order = Literal["C", "F", "A", "K"]
_Casting = Literal["no", "equiv", "safe", "same_kind", "unsafe"]

def evaluate(
    ex: str,
    local_dict: Optional[Mapping[str, Any]] = None,
    global_dict: Optional[Mapping[str, Any]] = None,
    out: Optional[np.ndarray] = None,
    order: _Order = "K",
    casting: _Casting = "same_kind",
    sanitize: Optional[bool] = None,
    _frame_depth: int = 3,
    disable_cache: bool = False,
    **kwargs: Any,
) -> np.ndarray: ...
def re_evaluate(
    local_dict: Optional[Mapping[str, Any]] = None,
    global_dict: Optional[Mapping[str, Any]] = None,
    _frame_depth: int = 2,
) -> np.ndarray: ...
def validate(
    ex: str,
    local_dict: Optional[Mapping[str, Any]] = None,
    global_dict: Optional[Mapping[str, Any]] = None,
    out: Optional[np.ndarray] = None,
    order: _Order = "K",
    casting: _Casting = "safe",
    _frame_depth: int = 2,
    sanitize: Optional[bool] = None,
    **kwargs: Any,
) -> Optional[Exception]: ...
def compile(
    ex: str, outputs: Optional[Sequence[str]] = None, typing: Optional[str] = None
) -> Kernel: ...
def NumExpr(
    ex: Union[str, expressions.ExpressionNode, Any],
    signature: Sequence[Tuple[str, Any]] = (),
    sanitize: bool = True,
    **kwargs: Any,
) -> _NumExpr: ...
def disassemble(nex: _NumExpr) -> list[str]: ...
def set_num_threads(nthreads: int) -> int: ...
def get_num_threads() -> int: ...
def detect_number_of_cores() -> int: ...
def detect_number_of_threads() -> int: ...
def _init_num_threads() -> int: ...
def get_vml_version() -> None: ...
def set_vml_accuracy_mode(mode: Optional[str]) -> None: ...
def set_vml_num_threads(nthreads: int) -> None: ...
def get_vml_num_threads() -> None: ...
def print_versions() -> None: ...
def install_as_numexpr() -> Any: ...
