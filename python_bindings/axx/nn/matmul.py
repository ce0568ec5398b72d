"""``ApproxMatmul``: ``torch.matmul`` of two activations through a multiplier's table."""
from __future__ import annotations

import torch
from torch import nn

from .. import _C
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
        self._check_operands(input, other)
        # torch.matmul's vector cases: a vector on the left is a row, on the right a column, and
        # the added dimension is dropped from the result.
        row, column = input.dim() == 1, other.dim() == 1
        a = input.unsqueeze(0) if row else input
        b = other.unsqueeze(-1) if column else other
        sa = self.input_quantizer.scale_for(a)
        sb = self.other_quantizer.scale_for(b)
        y = approx_product(a, b, sa, sb, _MATMUL, self._table, self.grad, self.narrow_range)
        if column:
            y = y.squeeze(-1)
        if row:
            y = y.squeeze(-1 if column else -2)
        return y

    def _check_operands(self, input, other) -> None:
        self._check_input("input", input)
        self._check_input("other", other)
        if input.device != other.device:
            raise _C.UsageError(f"ApproxMatmul: input is on {input.device} but other is on {other.device}")
        a, b = list(input.shape), list(other.shape)
        if not a or not b:
            raise _C.UsageError(f"ApproxMatmul: input and other need at least 1 dimension each, got shapes "
                                f"{a} and {b}")
        k_other = b[0] if len(b) == 1 else b[-2]
        if a[-1] != k_other:
            raise _C.UsageError(f"ApproxMatmul: input {a} and other {b} cannot be multiplied ({a[-1]} vs "
                                f"{k_other})")
        try:
            torch.broadcast_shapes(torch.Size(a[:-2]), torch.Size(b[:-2]))
        except RuntimeError:
            raise _C.UsageError(f"ApproxMatmul: batch dimensions of input {a} and other {b} do not "
                                f"broadcast") from None

    def extra_repr(self) -> str:
        return self._approx_repr()
