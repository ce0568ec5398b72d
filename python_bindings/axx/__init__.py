"""axx: approximate multipliers for PyTorch.

Turn an approximate multiplier (netlist, Verilog, C function, built-in design or table) into an
:class:`axx.Multiplier`, run integer matmuls and convolutions through its table on CPU or CUDA
(:mod:`axx.ops`), and put it into models: approximate layers (:mod:`axx.nn`), int8 calibration
(:func:`axx.calibrate`) and model conversion (:func:`axx.approximate`).

``import axx`` needs no GPU; CUDA tensors run on the CUDA kernels when this build has them
(:func:`axx.cuda_available`).
"""
from __future__ import annotations

import torch  # loads libtorch before the compiled module, which links it

from . import _C
from ._C import AxxError, InputError, ParseError, ToolError, UsageError
from ._multiplier import Multiplier, MultiplierInfo, multipliers
from . import ops
from . import nn
from .convert import approximate
from .quant import calibrate

__version__ = "0.1.0"

__all__ = [
    "Multiplier", "MultiplierInfo", "multipliers", "ops", "nn", "approximate", "calibrate",
    "cuda_available", "AxxError", "UsageError", "InputError", "ParseError", "ToolError",
]


def cuda_available() -> bool:
    """True when CUDA tensors can run the approximate ops: this build has the CUDA kernels and
    torch sees a GPU."""
    return bool(_C.has_cuda_ops and torch.cuda.is_available() and _C.cuda_available())
