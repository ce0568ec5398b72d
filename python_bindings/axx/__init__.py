"""axx: approximate multipliers for PyTorch.

Turn an approximate multiplier (netlist, Verilog, C function, built-in design or table) into an
:class:`axx.Multiplier`, run integer matmuls and convolutions through its table on CPU or CUDA
(:mod:`axx.ops`), and put it into models: approximate layers (:mod:`axx.nn`), int8 calibration
(:func:`axx.calibrate`) and model conversion (:func:`axx.approximate`).

``import axx`` needs no GPU; CUDA tensors run on the CUDA kernels when this build has them
(:func:`axx.cuda_available`).
"""
from __future__ import annotations

import warnings

import torch  # loads libtorch before the compiled module, which links it

from . import _C
from ._C import ArgumentTypeError, AxxError, InputError, ParseError, ToolError, UsageError
from ._multiplier import Multiplier, MultiplierInfo, multipliers
from . import ops
from . import nn
from .convert import approximate
from .quant import calibrate
from .evaluate import evaluate  # the function; `python -m axx.evaluate` runs the module
from .explore import explore, sensitivity
# `python -m axx.explore` runs the module already imported here; its __main__ block hands over to that copy.
warnings.filterwarnings("ignore", message="'axx.explore' found in sys.modules", category=RuntimeWarning)

__version__ = "0.1.0"

__all__ = [
    "Multiplier", "MultiplierInfo", "multipliers", "ops", "nn", "approximate", "calibrate", "explore", "sensitivity",
    "cuda_available", "AxxError", "UsageError", "ArgumentTypeError", "InputError", "ParseError",
    "ToolError",
    "cpu_isa", "set_cpu_isa", "supported_cpu_isas", "cpu_threads", "set_cpu_threads",
]

# CPU kernel settings (process-wide): which instruction set runs ("portable", "avx2", "avxvnni" =
# 256-bit AVX-VNNI, "avx512" = AVX-512 VNNI/VBMI, "amx" = AMX-INT8 tiles; set_cpu_isa("auto") = the
# best supported, the default) and how many worker threads (0 = all). Every choice gives the same
# int32.
cpu_isa = _C.cpu_isa
supported_cpu_isas = _C.supported_cpu_isas
cpu_threads = _C.cpu_threads


def set_cpu_isa(name: str) -> None:
    """Selects the CPU kernels' instruction set (``"auto"`` or one of :func:`supported_cpu_isas`);
    axx.UsageError for an unknown or unsupported one."""
    if not isinstance(name, str):
        raise ArgumentTypeError(f"set_cpu_isa: name must be a str, got {type(name).__name__}")
    _C.set_cpu_isa(name)


def set_cpu_threads(n: int) -> None:
    """Sets the CPU kernels' worker threads (0 = all hardware threads)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise ArgumentTypeError(f"set_cpu_threads: n must be an int, got {n!r}")
    _C.set_cpu_threads(n)


def cuda_available() -> bool:
    """True when CUDA tensors can run the approximate ops: this build has the CUDA kernels and
    torch sees a GPU."""
    return bool(_C.has_cuda_ops and torch.cuda.is_available() and _C.cuda_available())
