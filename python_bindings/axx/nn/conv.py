"""``ApproxConv2d``: ``torch.nn.Conv2d`` with every product through a multiplier's table."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .. import _C
from ..quant import TensorQuantizer, weight_scale
from ._base import ApproxModule
from ._product import Conv2dKind, approx_product


class ApproxConv2d(nn.Conv2d, ApproxModule):
    """``y = dequant(lut_conv2d(q(x), q(W))) + bias``; groups (depthwise included), stride,
    padding (ints, ``"same"``/``"valid"``, every ``padding_mode``) and dilation as in torch.

    Zero padding is applied to the quantized input, so padded taps contribute
    ``lut[0][w]`` like hardware fed with zeros; other padding modes pad the float input
    first. Input per tensor, weights per output channel (or per tensor) as in
    :class:`ApproxLinear`.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", multiplier=None, *,
                 per_channel: bool = True, grad: str = "ste", narrow_range: bool = True,
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device=device, dtype=dtype)
        self.per_channel = per_channel
        self.input_quantizer = TensorQuantizer(narrow_range)
        self._init_approx(multiplier, grad, narrow_range)

    @classmethod
    def from_float(cls, conv: nn.Conv2d, multiplier, **kwargs) -> "ApproxConv2d":
        """An ApproxConv2d sharing ``conv``'s weight and bias."""
        layer = cls(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                    conv.dilation, conv.groups, conv.bias is not None, conv.padding_mode, multiplier,
                    device=conv.weight.device, dtype=conv.weight.dtype, **kwargs)
        layer.weight = conv.weight
        layer.bias = conv.bias
        layer.input_quantizer.to(conv.weight.device)
        return layer

    def _explicit_padding(self, x: torch.Tensor):
        """(input, padding for the op): torch's own padding when it is symmetric zeros."""
        if self.padding_mode == "zeros" and not isinstance(self.padding, str):
            return x, self.padding
        if self.padding == "valid":
            return x, (0, 0)
        mode = "constant" if self.padding_mode == "zeros" else self.padding_mode
        return F.pad(x, self._reversed_padding_repeated_twice, mode=mode), (0, 0)

    def _check_fits(self, x: torch.Tensor, padding) -> None:
        """The kernel must fit the (padded) input, else the op would name its own arguments."""
        size = [x.shape[2 + i] + 2 * padding[i] - self.dilation[i] * (self.kernel_size[i] - 1)
                for i in range(2)]
        if min(size) < 1:
            kh, kw = self.kernel_size
            raise _C.UsageError(f"ApproxConv2d: input has shape {list(x.shape)}; the {kh}x{kw} kernel "
                                f"(dilation {list(self.dilation)}, padding {list(padding)}) does not fit")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.multiplier is None:
            return super().forward(x)
        if self.input_quantizer.observing:
            self.input_quantizer.observe(x)
            return super().forward(x)
        self._check_input("input", x, self.weight)
        if x.dim() == 3:  # an unbatched input, as nn.Conv2d takes it
            return self.forward(x.unsqueeze(0)).squeeze(0)
        if x.dim() != 4:
            raise _C.UsageError(f"ApproxConv2d: input must be (N, C, H, W) or unbatched (C, H, W), got "
                                f"shape {list(x.shape)}")
        if x.shape[1] != self.in_channels:
            raise _C.UsageError(f"ApproxConv2d: input has shape {list(x.shape)}; expected "
                                f"in_channels={self.in_channels} channels")
        x, padding = self._explicit_padding(x)
        self._check_fits(x, padding)
        kind = Conv2dKind(self.stride, padding, self.dilation, self.groups)
        sa = self.input_quantizer.scale_for(x)
        sw = weight_scale(self.weight, self.per_channel)
        return approx_product(x, self.weight, sa, sw, kind, self._table, self.grad, self.narrow_range,
                              bias=self.bias)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, {self._approx_repr()}, per_channel={self.per_channel}"
