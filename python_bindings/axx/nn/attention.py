"""Attention modules whose products all go through approximate layers.

:class:`ApproxMultiheadAttention` replaces ``torch.nn.MultiheadAttention`` and
:class:`ApproxTimmAttention` replaces timm's ``Attention`` (ViT, DeiT, ...). Both compute
attention the explicit way, so that Q·K^T and A·V run through :class:`ApproxMatmul`
(``matmul_qk``, ``matmul_av``) and the projections are ordinary Linear children that
:func:`axx.approximate` turns into :class:`ApproxLinear` -- softmax, masking, dropout and
any normalisation stay float. Built with :meth:`from_float` they start with every product
in float (multiplier ``None``) and give the original module's results.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .._C import UsageError
from .matmul import ApproxMatmul

__all__ = ["ApproxMultiheadAttention", "ApproxTimmAttention", "timm_attention_class"]


def _linear(in_f, out_f, weight, bias):
    layer = nn.Linear(in_f, out_f, bias=bias is not None, device=weight.device, dtype=weight.dtype)
    with torch.no_grad():
        layer.weight.copy_(weight)
        if bias is not None:
            layer.bias.copy_(bias)
    return layer


def _as_additive(mask: torch.Tensor | None, dtype) -> torch.Tensor | None:
    """Boolean masks (True = not allowed) -> additive -inf masks; float masks unchanged."""
    if mask is None:
        return None
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(mask, float("-inf"))
    return mask.to(dtype)


class ApproxMultiheadAttention(nn.Module):
    """Drop-in for ``torch.nn.MultiheadAttention`` (same constructor and forward).

    Children: ``q_proj``, ``k_proj``, ``v_proj``, ``out_proj`` (Linear, approximated by
    ``axx.approximate``), ``matmul_qk`` and ``matmul_av`` (:class:`ApproxMatmul`). Queries
    are scaled by ``head_dim ** -0.5`` before Q·K^T, as torch does. The state_dict keys
    differ from torch's packed ``in_proj_weight``: convert a trained float model, don't
    load float checkpoints into this module.
    """

    # Makes nn.TransformerEncoderLayer take its regular path (calling this module) instead
    # of its fused kernel, which would read the float weights directly.
    _qkv_same_embed_dim = False
    in_proj_bias = None
    in_proj_weight = None

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None):
        super().__init__()
        if embed_dim % num_heads:
            raise UsageError(f"ApproxMultiheadAttention: embed_dim {embed_dim} is not divisible by num_heads "
                             f"{num_heads}")
        dd = dict(device=device, dtype=dtype)
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.kdim, self.vdim = kdim or embed_dim, vdim or embed_dim
        self.head_dim = embed_dim // num_heads
        self.dropout, self.batch_first, self.add_zero_attn = dropout, batch_first, add_zero_attn
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias, **dd)
        self.k_proj = nn.Linear(self.kdim, embed_dim, bias=bias, **dd)
        self.v_proj = nn.Linear(self.vdim, embed_dim, bias=bias, **dd)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias, **dd)
        if add_bias_kv:
            self.bias_k = nn.Parameter(torch.zeros(1, 1, embed_dim, **dd))
            self.bias_v = nn.Parameter(torch.zeros(1, 1, embed_dim, **dd))
        else:
            self.bias_k = self.bias_v = None
        self.matmul_qk = ApproxMatmul()
        self.matmul_av = ApproxMatmul()

    @classmethod
    def from_float(cls, mha: nn.MultiheadAttention) -> "ApproxMultiheadAttention":
        w = mha.out_proj.weight
        new = cls(mha.embed_dim, mha.num_heads, mha.dropout, bias=mha.out_proj.bias is not None,
                  add_bias_kv=mha.bias_k is not None, add_zero_attn=mha.add_zero_attn, kdim=mha.kdim,
                  vdim=mha.vdim, batch_first=mha.batch_first, device=w.device, dtype=w.dtype)
        E = mha.embed_dim
        if mha._qkv_same_embed_dim:
            wq, wk, wv = mha.in_proj_weight.detach().split(E)
        else:
            wq, wk, wv = mha.q_proj_weight.detach(), mha.k_proj_weight.detach(), mha.v_proj_weight.detach()
        bq = bk = bv = None
        if mha.in_proj_bias is not None:
            bq, bk, bv = mha.in_proj_bias.detach().split(E)
        new.q_proj = _linear(E, E, wq, bq)
        new.k_proj = _linear(mha.kdim, E, wk, bk)
        new.v_proj = _linear(mha.vdim, E, wv, bv)
        new.out_proj = _linear(E, E, mha.out_proj.weight.detach(),
                               None if mha.out_proj.bias is None else mha.out_proj.bias.detach())
        if mha.bias_k is not None:
            with torch.no_grad():
                new.bias_k.copy_(mha.bias_k)
                new.bias_v.copy_(mha.bias_v)
        new.matmul_qk.to(w.device)
        new.matmul_av.to(w.device)
        new.train(mha.training)
        return new

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True, attn_mask=None,
                average_attn_weights: bool = True, is_causal: bool = False):
        unbatched = query.dim() == 2
        if unbatched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
            if self.batch_first:  # unbatched inputs are (L, E) whatever batch_first says
                query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        if not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        B, L, E = query.shape
        H, D = self.num_heads, self.head_dim
        q = self.q_proj(query)
        k = self.k_proj(key)
        v = self.v_proj(value)
        mask = _as_additive(attn_mask, q.dtype)
        kpm = _as_additive(key_padding_mask, q.dtype)
        if mask is not None and mask.dim() == 3:           # (B*H, L, S)
            mask = mask.reshape(B, H, *mask.shape[-2:])
        if self.bias_k is not None:
            k = torch.cat([k, self.bias_k.expand(B, 1, E)], dim=1)
            v = torch.cat([v, self.bias_v.expand(B, 1, E)], dim=1)
            mask = F.pad(mask, (0, 1)) if mask is not None else None
            kpm = F.pad(kpm, (0, 1)) if kpm is not None else None
        q = q.reshape(B, L, H, D).transpose(1, 2)
        k = k.reshape(B, -1, H, D).transpose(1, 2)
        v = v.reshape(B, -1, H, D).transpose(1, 2)
        if self.add_zero_attn:
            k = torch.cat([k, k.new_zeros(B, H, 1, D)], dim=2)
            v = torch.cat([v, v.new_zeros(B, H, 1, D)], dim=2)
            mask = F.pad(mask, (0, 1)) if mask is not None else None
            kpm = F.pad(kpm, (0, 1)) if kpm is not None else None
        S = k.shape[2]
        if mask is None and is_causal:
            mask = torch.full((L, S), float("-inf"), dtype=q.dtype, device=q.device).triu(1)
        scores = self.matmul_qk(q * D ** -0.5, k.transpose(-2, -1))   # (B, H, L, S)
        if mask is not None:
            scores = scores + mask
        if kpm is not None:
            scores = scores + kpm.reshape(B, 1, 1, S)
        attn = scores.softmax(dim=-1)
        if self.training and self.dropout > 0:
            attn = F.dropout(attn, self.dropout)
        out = self.matmul_av(attn, v).transpose(1, 2).reshape(B, L, E)
        out = self.out_proj(out)
        if not self.batch_first:
            out = out.transpose(0, 1)
        if unbatched:
            out = out.squeeze(1 if not self.batch_first else 0)
        weights = None
        if need_weights:
            weights = attn.mean(dim=1) if average_attn_weights else attn
            if unbatched:
                weights = weights.squeeze(0)
        return out, weights

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, batch_first={self.batch_first}"


def timm_attention_class():
    """timm's ``Attention`` class, or None when timm is not installed."""
    try:
        from timm.models.vision_transformer import Attention
    except ImportError:
        return None
    return Attention


class ApproxTimmAttention(nn.Module):
    """Replacement for timm's ``vision_transformer.Attention`` (ViT, DeiT and their kin).

    Keeps the original's children (``qkv``, ``proj``, ``q_norm``/``k_norm``, ``norm``,
    ``gate``, dropouts: same state_dict keys) and runs the non-fused path with Q·K^T and
    A·V through ``matmul_qk`` and ``matmul_av``.
    """

    def __init__(self, attn: nn.Module):
        super().__init__()
        self.num_heads, self.head_dim, self.scale = attn.num_heads, attn.head_dim, attn.scale
        self.attn_dim = getattr(attn, "attn_dim", attn.num_heads * attn.head_dim)
        self.qkv = attn.qkv
        self.q_norm, self.k_norm = attn.q_norm, attn.k_norm
        self.attn_drop = attn.attn_drop
        self.norm = getattr(attn, "norm", nn.Identity())
        self.gate = getattr(attn, "gate", None)
        self.proj, self.proj_drop = attn.proj, attn.proj_drop
        device = attn.qkv.weight.device
        self.matmul_qk = ApproxMatmul().to(device)
        self.matmul_av = ApproxMatmul().to(device)
        self.train(attn.training)

    @classmethod
    def from_float(cls, attn: nn.Module) -> "ApproxTimmAttention":
        return cls(attn)

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None = None, is_causal: bool = False):
        B, N, _ = x.shape
        gate = self.gate(x).sigmoid() if self.gate is not None else None
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        q, k = self.q_norm(q), self.k_norm(k)
        attn = self.matmul_qk(q * self.scale, k.transpose(-2, -1))
        mask = _as_additive(attn_mask, attn.dtype)
        if mask is None and is_causal:
            mask = torch.full((N, N), float("-inf"), dtype=attn.dtype, device=attn.device).triu(1)
        if mask is not None:
            attn = attn + mask
        attn = self.attn_drop(attn.softmax(dim=-1))
        x = self.matmul_av(attn, v).transpose(1, 2).reshape(B, N, self.attn_dim)
        x = self.norm(x)
        if gate is not None:
            x = x * gate
        return self.proj_drop(self.proj(x))

    def extra_repr(self) -> str:
        return f"num_heads={self.num_heads}, head_dim={self.head_dim}"
