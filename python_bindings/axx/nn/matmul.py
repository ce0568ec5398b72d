"""``ApproxMatmul``: ``torch.matmul`` of two activations through a multiplier's table."""
from __future__ import annotations

import torch
from torch import nn

from ..quant import TensorQuantizer
from ._base import ApproxModule
from ._product import MatmulKind, approx_product

_MATMUL = MatmulKind()


class ApproxMatmul(ApproxModule):
    """``forward(input, other) = dequant(lut_matmul(q(input), q(other)))``.

    Both operands are activations, each quantized per tensor by its own quantizer
    (``input_quantizer`` for the table's row operand, ``other_quantizer`` for the column
    operand). Shapes broadcast like :func:`torch.matmul` (``(..., M, K) @ (..., K, N)``).
    With ``multiplier=None`` it is plain ``torch.matmul``. Used by the attention
    replacements for Q·K^T and A·V.
    """

    def __init__(self, multiplier=None, *, grad: str = "ste", narrow_range: bool = True):
        super().__init__()
        self.input_quantizer = TensorQuantizer(narrow_range)
        self.other_quantizer = TensorQuantizer(narrow_range)
        self._init_approx(multiplier, grad, narrow_range)

    def forward(self, input: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
        if self.multiplier is None:
            return torch.matmul(input, other)
        if self._observing():
            self.input_quantizer.observe(input)
            self.other_quantizer.observe(other)
            return torch.matmul(input, other)
        sa = self.input_quantizer.scale_for(input)
        sb = self.other_quantizer.scale_for(other)
        return approx_product(input, other, sa, sb, _MATMUL, self._table, self.grad, self.narrow_range)

    def extra_repr(self) -> str:
        return self._approx_repr()
