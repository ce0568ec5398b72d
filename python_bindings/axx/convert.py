"""``axx.approximate``: put approximate multipliers into a model.

A layer is selected by patterns over its dotted name (``fnmatch`` syntax, ``*`` also
crosses dots); a pattern that matches a module also selects everything inside it, so
``"blocks.0"`` selects every product of block 0. The products are named:

* every ``nn.Linear`` and ``nn.Conv2d`` by its own name;
* in a ``nn.MultiheadAttention`` named ``attn``: ``attn.q_proj``, ``attn.k_proj``,
  ``attn.v_proj``, ``attn.out_proj`` and the matmuls ``attn.matmul_qk``, ``attn.matmul_av``;
* in a timm ``Attention``: ``attn.qkv``, ``attn.proj``, ``attn.matmul_qk``, ``attn.matmul_av``.

A ``nn.MultiheadAttention`` is replaced by :class:`ApproxMultiheadAttention` when any of
its products is selected (its unselected products stay float); a timm ``Attention`` is
replaced by :class:`ApproxTimmAttention` when one of its matmuls is selected (its
``qkv``/``proj`` are converted in place either way). Layers that are already approximate get the new multiplier (and
backward mode), which is how to switch multipliers without rebuilding the model: the
calibrated scales are kept.
"""
from __future__ import annotations

import fnmatch
import warnings
from typing import Iterable, Mapping

from torch import nn

from . import _C
from .nn import ApproxConv2d, ApproxLinear, ApproxMatmul, ApproxMultiheadAttention, ApproxTimmAttention
from .nn._base import ApproxModule
from .nn._product import check_grad_mode
from .nn.attention import timm_attention_class

__all__ = ["approximate"]

_MHA_PRODUCTS = ("q_proj", "k_proj", "v_proj", "out_proj", "matmul_qk", "matmul_av")
# timm calls qkv and proj as modules: only the matmuls need the replacement module.
_TIMM_MATMULS = ("matmul_qk", "matmul_av")


def _patterns(name: str, p) -> list[str]:
    if p is None:
        return []
    if isinstance(p, str):
        return [p]
    if isinstance(p, Iterable):
        patterns = list(p)
        if all(isinstance(q, str) for q in patterns):
            return patterns
    raise _C.ArgumentTypeError(f"axx.approximate: {name} must be a pattern (str) or a list of patterns, got "
                               f"{type(p).__name__}")


def _covers(pattern: str, name: str) -> bool:
    """``pattern`` matches ``name`` or one of its ancestors ("a.b" for "a.b.c")."""
    parts = name.split(".")
    return any(fnmatch.fnmatchcase(".".join(parts[:i]), pattern) for i in range(len(parts), 0, -1))


def _resolve(m):
    from ._multiplier import Multiplier

    if m is None or isinstance(m, Multiplier):
        return m
    if isinstance(m, str):
        return Multiplier.builtin(m)
    raise _C.ArgumentTypeError(f"axx.approximate: multiplier must be an axx.Multiplier, a built-in name, a mapping "
                               f"{{pattern: multiplier}} or None, got {type(m).__name__}")


class _Selector:
    def __init__(self, multiplier, include, exclude):
        if isinstance(multiplier, Mapping):
            self.mapping = [(p, _resolve(m)) for p, m in multiplier.items()]
        else:
            self.mapping = [("*", _resolve(multiplier))]
        self.include = _patterns("include", include)
        self.exclude = _patterns("exclude", exclude)
        self.used: set[str] = set()

    def __call__(self, name: str):
        """(selected, multiplier) for the product called ``name``."""
        if self.include:
            hits = [p for p in self.include if _covers(p, name)]
            if not hits:
                return False, None
            self.used.update(hits)
        hits = [p for p in self.exclude if _covers(p, name)]
        if hits:
            self.used.update(hits)
            return False, None
        chosen, found = None, False
        for p, m in self.mapping:            # later patterns override earlier ones
            if _covers(p, name):
                chosen, found = m, True
                self.used.add(p)
        return found, chosen

    def unused(self) -> list[str]:
        pats = self.include + self.exclude + [p for p, _ in self.mapping if p != "*"]
        return [p for p in pats if p not in self.used]


def approximate(model: nn.Module, multiplier, include: str | Iterable[str] | None = None,
                exclude: str | Iterable[str] | None = None, *, grad: str = "ste", per_channel: bool = True,
                narrow_range: bool = True) -> nn.Module:
    """Replace the products of ``model`` by approximate ones; returns the model.

    Args:
        model: any module; modified in place (the returned object is ``model`` unless
            ``model`` itself is a Linear or Conv2d, which is returned converted).
        multiplier: an :class:`axx.Multiplier`, a built-in multiplier name, or a mapping
            ``{pattern: Multiplier | name | None}`` (later patterns override earlier ones;
            ``None`` keeps the matching layers float; layers no pattern matches are left alone).
        include: pattern(s); when given, only products they select are converted.
        exclude: pattern(s) of products left alone (wins over include).
        grad: backward of the converted layers, ``"ste"`` or ``"lut"``.
        per_channel: per-output-channel weight scales (else per tensor).
        narrow_range: quantize to [-127, 127] (else [-128, 127]).

    >>> model = axx.approximate(vit, axx.Multiplier.builtin("mul8s_1KV8"), exclude="head")  # doctest: +SKIP
    """
    if not isinstance(model, nn.Module):
        raise _C.ArgumentTypeError(f"axx.approximate: model must be a torch.nn.Module, got {type(model).__name__}")
    check_grad_mode("axx.approximate", grad)
    select = _Selector(multiplier, include, exclude)
    opts = dict(grad=grad, per_channel=per_channel, narrow_range=narrow_range)
    timm_attn = timm_attention_class()
    converted = _convert(model, "", select, opts, timm_attn)
    for p in select.unused():
        warnings.warn(f"axx.approximate: pattern '{p}' matched no layer", stacklevel=2)
    return converted


def _new_layer(module, multiplier, opts):
    if isinstance(module, nn.Conv2d):
        return ApproxConv2d.from_float(module, multiplier, **opts)
    return ApproxLinear.from_float(module, multiplier, **opts)


def _convert_one(child, name, select, opts, timm_attn):
    """The module to put at ``name`` (``child`` itself when unchanged)."""
    if isinstance(child, ApproxModule):
        ok, m = select(name)
        if ok:
            child.multiplier = m
            child.grad = opts["grad"]
            if hasattr(child, "per_channel"):
                child.per_channel = opts["per_channel"]
        return child
    if type(child) in (nn.Linear, nn.Conv2d) or (
            isinstance(child, (nn.Linear, nn.Conv2d)) and type(child).forward in (nn.Linear.forward, nn.Conv2d.forward)):
        ok, m = select(name)
        return _new_layer(child, m, opts) if ok and m is not None else child
    if isinstance(child, nn.MultiheadAttention):
        if any(select(f"{name}.{p}")[0] for p in _MHA_PRODUCTS):
            child = ApproxMultiheadAttention.from_float(child)
            _convert(child, name, select, opts, timm_attn)
        return child
    if timm_attn is not None and type(child) is timm_attn:
        if any(select(f"{name}.{p}")[0] for p in _TIMM_MATMULS):
            child = ApproxTimmAttention.from_float(child)
            _convert(child, name, select, opts, timm_attn)
        else:
            _convert(child, name, select, opts, timm_attn)
        return child
    _convert(child, name, select, opts, timm_attn)
    return child


def _convert(module, prefix, select, opts, timm_attn):
    if prefix == "" and isinstance(module, (nn.Linear, nn.Conv2d)) and not isinstance(module, ApproxModule):
        ok, m = select("")
        return _new_layer(module, m, opts) if ok and m is not None else module
    for name, child in list(module.named_children()):
        full = f"{prefix}.{name}" if prefix else name
        new = _convert_one(child, full, select, opts, timm_attn)
        if new is not child:
            setattr(module, name, new)
    return module

