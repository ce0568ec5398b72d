"""What every approximate layer shares: its multiplier, backward mode and quantizers."""
from __future__ import annotations

import torch
from torch import nn

from .. import _C
from .._multiplier import Multiplier
from ..quant import TensorQuantizer
from ._product import check_grad_mode, table_for


class ApproxModule(nn.Module):
    """Mixin of the approximate layers.

    ``multiplier`` is an :class:`axx.Multiplier` (signed 8x8, or unsigned, run in
    sign-magnitude mode) or ``None``, which makes the layer compute in plain float like the
    torch layer it replaces. The multiplier is not part of the state_dict (the scales are):
    rebuild the model with :func:`axx.approximate` and load the state_dict.
    """

    _multiplier = None
    _table = None

    def _init_approx(self, multiplier, grad: str, narrow_range: bool) -> None:
        self.grad = grad
        self.narrow_range = narrow_range
        self.multiplier = multiplier

    @property
    def multiplier(self):
        return self._multiplier

    @multiplier.setter
    def multiplier(self, m) -> None:
        where = type(self).__name__
        if m is not None and not isinstance(m, Multiplier):
            raise _C.ArgumentTypeError(f"{where}: multiplier must be an axx.Multiplier or None, got "
                                       f"{type(m).__name__}")
        try:
            self._table = table_for(m) if m is not None else None
        except _C.UsageError as e:
            raise _C.UsageError(f"{where}: {e}") from None
        self._multiplier = m

    @property
    def grad(self) -> str:
        return self._grad

    @grad.setter
    def grad(self, mode: str) -> None:
        check_grad_mode(type(self).__name__, mode)
        self._grad = mode

    def _check_input(self, name: str, x, weight=None) -> None:
        """A float tensor on the device of ``weight`` (when given): the layer quantizes it, so an
        integer tensor would be read as values, not as 8-bit patterns, and quietly scaled to 0."""
        where = type(self).__name__
        if not isinstance(x, torch.Tensor):
            raise _C.ArgumentTypeError(f"{where}: {name} must be a torch.Tensor, got {type(x).__name__}")
        if not x.is_floating_point():
            raise _C.ArgumentTypeError(f"{where}: {name} must be a floating-point tensor, got {x.dtype}")
        if weight is not None and x.device != weight.device:
            raise _C.UsageError(f"{where}: {name} is on {x.device} but the layer's weight is on "
                                f"{weight.device}")

    def _quantizers(self):
        return [m for m in self.children() if isinstance(m, TensorQuantizer)]

    def _observing(self) -> bool:
        return any(q.observing for q in self._quantizers())

    def _approx_repr(self) -> str:
        name = "None (float)" if self._multiplier is None else self._multiplier.name
        s = f"multiplier={name}"
        if self._table is not None and self._table.sign_magnitude:
            s += " (sign-magnitude)"
        if self._multiplier is not None:
            s += f", grad={self.grad}"
        return s
