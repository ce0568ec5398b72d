"""What every approximate layer shares: its multiplier, backward mode and quantizers."""
from __future__ import annotations

from torch import nn

from ..quant import TensorQuantizer
from ._product import GRAD_MODES, table_for


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
        self._table = table_for(m) if m is not None else None
        self._multiplier = m

    @property
    def grad(self) -> str:
        return self._grad

    @grad.setter
    def grad(self, mode: str) -> None:
        if mode not in GRAD_MODES:
            raise ValueError(f"unknown grad mode '{mode}'; choose one of {', '.join(GRAD_MODES)}")
        self._grad = mode

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
