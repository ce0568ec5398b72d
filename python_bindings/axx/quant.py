"""Symmetric int8 quantization and calibration.

Operands of every approximate product are quantized symmetrically to integers in
``[-qmax, qmax]`` (``qmax = 127``; narrow range by default, so that ``-q`` is always
representable and sign-magnitude mode never sees ``|-128|``):

    q = clamp(round(x / scale), qmin, qmax),   scale = amax / qmax

Activations use one scale per tensor, held by a :class:`TensorQuantizer` (its ``scale``
buffer is saved in the state_dict). Weights use one scale per output channel (or per
tensor), taken from the weights' own maximum every forward, so fine-tuning keeps them
in range. Before calibration (``scale == 0``) a quantizer scales dynamically from the
maximum of each batch it sees.

:func:`calibrate` runs data through a model in float (the approximate layers do not
quantize while they observe), collects a histogram of ``|x|`` for every activation
quantizer, and sets the scales with one of the calibrators:

* ``max``: the largest ``|x|`` seen.
* ``percentile``: the given percentile of ``|x|`` (default 99.99).
* ``mse``: the clipping range minimising the quantization mean squared error.
* ``entropy``: the clipping range minimising KL(P || Q) between the histogram and its
  quantized version (the TensorRT procedure, over 128 quantized levels).
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import torch
from torch import nn

from . import _C

__all__ = [
    "QMAX", "quantize", "weight_scale", "TensorQuantizer", "MaxObserver", "HistogramObserver",
    "amax_max", "amax_percentile", "amax_mse", "amax_entropy", "calibrate", "CALIBRATION_METHODS",
]

QMAX = 127
_TINY = 1e-12


def quantize(x: torch.Tensor, scale: torch.Tensor, narrow_range: bool = True) -> torch.Tensor:
    """Round ``x / scale`` to int8 in [-127, 127] (or [-128, 127] when not narrow range).

    ``scale`` is a scalar tensor or broadcasts against ``x`` (per-channel weights).
    """
    qmin = -QMAX if narrow_range else -QMAX - 1
    return torch.clamp(torch.round(x / scale), qmin, QMAX).to(torch.int8)


def weight_scale(w: torch.Tensor, per_channel: bool = True) -> torch.Tensor:
    """Max-abs scale of a weight tensor: shape (out_channels,) per channel, () per tensor."""
    w = w.detach()
    if per_channel:
        rows = w.abs().reshape(w.shape[0], -1) if w.shape[0] else w.new_zeros(0, 1)
        # A layer without inputs (in_features = 0) has nothing to scale: the smallest scale.
        amax = rows.amax(dim=1) if rows.shape[1] else w.new_zeros(w.shape[0])
    else:
        amax = w.abs().amax() if w.numel() else w.new_zeros(())
    return torch.clamp(amax, min=_TINY) / QMAX


class TensorQuantizer(nn.Module):
    """Per-tensor activation quantizer; ``scale`` is a buffer (0 = not calibrated yet).

    Not calibrated, it scales each batch by that batch's own maximum ("dynamic max").
    While an observer is attached (during :func:`calibrate`) the owning layer computes
    in float and only feeds the observer.
    """

    def __init__(self, narrow_range: bool = True):
        super().__init__()
        self.narrow_range = narrow_range
        self.register_buffer("scale", torch.zeros(()))
        self.observer = None
        # Mirrors scale > 0 on the host, so a forward on CUDA does not synchronise to read it.
        self._calibrated = False

    @property
    def calibrated(self) -> bool:
        return self._calibrated

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self._calibrated = bool(self.scale.item() > 0)

    @property
    def observing(self) -> bool:
        return self.observer is not None

    def observe(self, x: torch.Tensor) -> None:
        self.observer.update(x.detach())

    def scale_for(self, x: torch.Tensor) -> torch.Tensor:
        """The calibrated scale, or the dynamic max scale of ``x`` when not calibrated."""
        if self._calibrated:
            return self.scale
        # An empty batch has no maximum; any scale quantizes it (to nothing).
        amax = x.detach().abs().amax().float() if x.numel() else torch.zeros((), device=x.device)
        return torch.clamp(amax, min=_TINY) / QMAX

    def set_amax(self, amax: float) -> None:
        self.scale.fill_(max(float(amax), _TINY) / QMAX)
        self._calibrated = True

    def reset(self) -> None:
        """Back to dynamic max scaling."""
        self.scale.zero_()
        self._calibrated = False

    def extra_repr(self) -> str:
        s = f"scale={self.scale.item():.6g}" if self.calibrated else "scale=dynamic"
        return s + ("" if self.narrow_range else ", narrow_range=False")


# ---------------------------------------------------------------------------------------
# Observers


class MaxObserver:
    """Running maximum of |x|."""

    def __init__(self):
        self.amax = 0.0
        self.count = 0

    def update(self, x: torch.Tensor) -> None:
        if x.numel():
            self.amax = max(self.amax, float(x.abs().amax()))
            self.count += x.numel()


class HistogramObserver:
    """Histogram of |x| with a fixed bin width set by the first batch.

    Later batches with a larger maximum extend the histogram with more bins of the same
    width; past ``max_bins`` bins, pairs of bins are merged (the width doubles), so one
    outlier batch cannot blow the memory up.
    """

    def __init__(self, bins: int = 2048, max_bins: int = 16384):
        self.bins = bins
        self.max_bins = max_bins
        self.hist: np.ndarray | None = None
        self.width = 0.0
        self.amax = 0.0

    def update(self, x: torch.Tensor) -> None:
        x = x.detach().abs().float().flatten()
        if not x.numel():
            return
        amax = float(x.max())
        self.amax = max(self.amax, amax)
        if self.hist is None:
            if amax == 0.0:
                amax = _TINY * self.bins
            self.width = amax / self.bins
            self.hist = np.zeros(self.bins, dtype=np.float64)
        n = max(len(self.hist), math.ceil(amax / self.width))
        while n > self.max_bins:
            if len(self.hist) % 2:
                self.hist = np.append(self.hist, 0.0)
            self.hist = self.hist.reshape(-1, 2).sum(axis=1)
            self.width *= 2
            n = max(len(self.hist), math.ceil(amax / self.width))
        if n > len(self.hist):
            self.hist = np.append(self.hist, np.zeros(n - len(self.hist)))
        top = n * self.width
        h = torch.histc(x.cpu(), bins=n, min=0.0, max=top).double().numpy()
        self.hist += h

    @property
    def edges(self) -> np.ndarray:
        return np.arange(len(self.hist) + 1) * self.width


# ---------------------------------------------------------------------------------------
# Calibrators: each maps a histogram of |x| (counts, bin edges from 0) to a clipping amax.


def amax_max(hist: np.ndarray, edges: np.ndarray) -> float:
    """Upper edge of the last non-empty bin."""
    nz = np.nonzero(hist)[0]
    return float(edges[nz[-1] + 1]) if len(nz) else 0.0


def amax_percentile(hist: np.ndarray, edges: np.ndarray, percentile: float = 99.99) -> float:
    """Smallest bin edge below which ``percentile`` % of the values lie."""
    if not 0 < percentile <= 100:
        raise _C.UsageError(f"amax_percentile: percentile must be in (0, 100], got {percentile}")
    total = hist.sum()
    if total == 0:
        return 0.0
    cdf = np.cumsum(hist) / total
    i = int(np.searchsorted(cdf, percentile / 100.0 - 1e-12))
    return float(edges[min(i, len(hist) - 1) + 1])


def amax_mse(hist: np.ndarray, edges: np.ndarray, qmax: int = QMAX, start_bin: int = 64,
             stride: int = 1) -> float:
    """Clipping amax (a bin edge) minimising the mean squared quantization error.

    Values are represented by their bin centres; each candidate amax quantizes them to
    ``clamp(round(c / s), 0, qmax) * s`` with ``s = amax / qmax``.
    """
    if hist.sum() == 0:
        return 0.0
    centres = (edges[:-1] + edges[1:]) / 2
    nz = hist > 0
    c, h = centres[nz], hist[nz]
    cand = edges[np.arange(min(start_bin, len(hist)), len(hist) + 1, stride)]
    cand = cand[cand > 0]
    best, best_err = float(cand[-1]), math.inf
    for chunk in np.array_split(cand, max(1, len(cand) // 256)):
        s = chunk[:, None] / qmax
        q = np.clip(np.round(c[None, :] / s), 0, qmax) * s
        err = ((c[None, :] - q) ** 2 * h[None, :]).sum(axis=1)
        i = int(np.argmin(err))
        if err[i] < best_err:
            best, best_err = float(chunk[i]), float(err[i])
    return best


def amax_entropy(hist: np.ndarray, edges: np.ndarray, num_quant_bins: int = QMAX + 1,
                 stride: int = 1) -> float:
    """Clipping amax minimising KL(P || Q) (TensorRT's entropy calibration).

    For each candidate of ``i`` bins, P is the first ``i`` bins with the outliers added
    to the last one; Q merges those ``i`` bins into ``num_quant_bins`` levels and spreads
    each level's count uniformly over its non-empty bins.
    """
    n = len(hist)
    if hist.sum() == 0:
        return 0.0
    if n <= num_quant_bins:
        return amax_max(hist, edges)
    best_i, best_kl = n, math.inf
    tail = np.concatenate([np.cumsum(hist[::-1])[::-1], [0.0]])  # tail[i] = sum(hist[i:])
    for i in range(num_quant_bins, n + 1, stride):
        ref = hist[:i].copy()
        ref[-1] += tail[i]
        group = (np.arange(i) * num_quant_bins) // i
        nonzero = hist[:i] > 0
        gsum = np.bincount(group, weights=hist[:i], minlength=num_quant_bins)
        gcnt = np.bincount(group, weights=nonzero.astype(np.float64), minlength=num_quant_bins)
        q = np.where(nonzero, gsum[group] / np.maximum(gcnt[group], 1), 0.0)
        p_mask = ref > 0
        p = ref[p_mask] / ref.sum()
        qq = q[p_mask]
        qsum = q.sum()
        if qsum == 0:
            continue
        qq = np.maximum(qq / qsum, 1e-10)  # Q may be 0 where only outliers landed
        kl = float(np.sum(p * np.log(p / qq)))
        if kl < best_kl:
            best_i, best_kl = i, kl
    return float(edges[best_i])


CALIBRATION_METHODS = ("max", "percentile", "mse", "entropy")


def _amax_from(observer, method: str, percentile: float) -> float:
    if method == "max":
        return observer.amax
    hist, edges = observer.hist, observer.edges
    if method == "percentile":
        return amax_percentile(hist, edges, percentile)
    if method == "mse":
        return amax_mse(hist, edges)
    return amax_entropy(hist, edges)


def _model_device(model: nn.Module) -> torch.device:
    for t in list(model.parameters()) + list(model.buffers()):
        return t.device
    return torch.device("cpu")


def calibrate(model: nn.Module, data: Iterable, method: str = "percentile", num_batches: int | None = 8,
              percentile: float = 99.99, bins: int = 2048, progress: bool = False) -> nn.Module:
    """Set the activation scales of every approximate layer in ``model`` from ``data``.

    ``data`` yields input batches, or ``(inputs, targets)`` pairs as a DataLoader does
    (the first element is fed to the model). At most ``num_batches`` batches are used
    (``None``: all). The model runs in eval mode under ``torch.no_grad`` with the
    approximate layers computing in float, so each scale sees float statistics; the
    training mode is restored afterwards. Quantizers that saw no data stay dynamic.
    Returns the model.
    """
    where = "axx.calibrate"
    if not isinstance(model, nn.Module):
        raise _C.ArgumentTypeError(f"{where}: model must be a torch.nn.Module, got {type(model).__name__}")
    if method not in CALIBRATION_METHODS:
        raise _C.UsageError(f"{where}: unknown calibration method={method!r}; choose one of "
                            f"{', '.join(CALIBRATION_METHODS)}")
    if method == "percentile" and not 0 < percentile <= 100:
        raise _C.UsageError(f"{where}: percentile must be in (0, 100], got {percentile}")
    if num_batches is not None and num_batches < 1:
        raise _C.UsageError(f"{where}: num_batches must be at least 1 (or None: all), got {num_batches}")
    if bins < 1:
        raise _C.UsageError(f"{where}: bins must be at least 1, got {bins}")
    try:
        iter(data)
    except TypeError:
        raise _C.ArgumentTypeError(f"{where}: data must be an iterable of batches, got "
                                   f"{type(data).__name__}") from None
    quantizers = [m for m in model.modules() if isinstance(m, TensorQuantizer)]
    if not quantizers:
        raise _C.UsageError(f"{where}: the model has no approximate layers; call axx.approximate(model, ...) "
                            f"first")
    for q in quantizers:
        q.observer = MaxObserver() if method == "max" else HistogramObserver(bins)
    device = _model_device(model)
    was_training = model.training
    model.eval()
    seen = 0
    try:
        it = iter(data)
        if progress:
            from ._progress import progress as _progress
            it = _progress(it, total=num_batches, desc=f"calibrate ({method})")
        with torch.no_grad():
            for batch in it:
                if num_batches is not None and seen >= num_batches:
                    break
                x = batch[0] if isinstance(batch, (tuple, list)) and batch else batch
                if not isinstance(x, torch.Tensor):
                    raise _C.ArgumentTypeError(f"{where}: a batch must be a tensor or an (inputs, targets) "
                                               f"pair, got {type(x).__name__}")
                model(x.to(device))
                seen += 1
        if seen == 0:
            raise _C.UsageError(f"{where}: data yielded no batches")
        for q in quantizers:
            obs = q.observer
            if obs.amax > 0 or (isinstance(obs, HistogramObserver) and obs.hist is not None):
                q.set_amax(_amax_from(obs, method, percentile))
    finally:
        for q in quantizers:
            q.observer = None
        model.train(was_training)
    return model
