"""``ApproxLinear``: ``torch.nn.Linear`` with every product through a multiplier's table."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .. import _C
from ..quant import TensorQuantizer, weight_scale
from ._base import ApproxModule
from ._product import LinearKind, approx_product

_LINEAR = LinearKind()


class ApproxLinear(nn.Linear, ApproxModule):
    """``y = dequant(lut_matmul(q(x), q(W)^T)) + bias``.

    The input is quantized per tensor (``input_quantizer.scale``, set by
    :func:`axx.calibrate`; dynamic max scaling before that), the weight per output channel
    (``per_channel=True``) or per tensor from its current maximum. ``grad`` selects the
    backward: ``"ste"`` (exact-product gradient, default) or ``"lut"`` (numerical table
    derivative). State_dict keys are those of ``nn.Linear`` plus ``input_quantizer.scale``.

    >>> layer = ApproxLinear(64, 10, multiplier=axx.Multiplier.builtin("mul8s_exact"))  # doctest: +SKIP
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, multiplier=None, *,
                 per_channel: bool = True, grad: str = "ste", narrow_range: bool = True,
                 device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device=device, dtype=dtype)
        self.per_channel = per_channel
        self.input_quantizer = TensorQuantizer(narrow_range)
        self._init_approx(multiplier, grad, narrow_range)

    @classmethod
    def from_float(cls, linear: nn.Linear, multiplier, **kwargs) -> "ApproxLinear":
        """An ApproxLinear sharing ``linear``'s weight and bias (same device and dtype)."""
        layer = cls(linear.in_features, linear.out_features, linear.bias is not None, multiplier,
                    device=linear.weight.device, dtype=linear.weight.dtype, **kwargs)
        layer.weight = linear.weight
        layer.bias = linear.bias
        layer.input_quantizer.to(linear.weight.device)
        return layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.multiplier is None:
            return F.linear(x, self.weight, self.bias)
        if self.input_quantizer.observing:
            self.input_quantizer.observe(x)
            return F.linear(x, self.weight, self.bias)
        self._check_input("input", x, self.weight)
        if x.dim() == 0 or x.shape[-1] != self.in_features:
            raise _C.UsageError(f"ApproxLinear: input has shape {list(x.shape)}; its last dimension must "
                                f"be in_features={self.in_features}")
        if x.dim() == 1:  # an unbatched input, as nn.Linear takes it
            return self.forward(x.unsqueeze(0)).squeeze(0)
        sa = self.input_quantizer.scale_for(x)
        sw = weight_scale(self.weight, self.per_channel)
        return approx_product(x, self.weight, sa, sw, _LINEAR, self._table, self.grad, self.narrow_range,
                              bias=self.bias)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, {self._approx_repr()}, per_channel={self.per_channel}"
