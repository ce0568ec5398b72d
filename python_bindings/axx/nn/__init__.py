"""Approximate layers: every multiply of Linear, Conv2d and the attention matmuls goes through
an approximate multiplier's table (``axx.ops``), with int8 quantization in front.

Each layer quantizes its input per tensor (scale from :func:`axx.calibrate`, dynamic max
before), its weights per output channel, runs the integer table product, and dequantizes
(``scale_a * scale_w[o]``) and adds the bias in float. ``grad="ste"`` (default) or
``grad="lut"`` picks the backward (see :mod:`axx.nn._product`).
"""
from ._product import GRAD_MODES, approx_product
from ._base import ApproxModule
from .linear import ApproxLinear
from .conv import ApproxConv2d
from .matmul import ApproxMatmul
from .attention import ApproxMultiheadAttention, ApproxTimmAttention

__all__ = ["ApproxModule", "ApproxLinear", "ApproxConv2d", "ApproxMatmul", "ApproxMultiheadAttention",
           "ApproxTimmAttention", "approx_product", "GRAD_MODES", "approx_layers"]


def approx_layers(model):
    """``(name, layer)`` for every approximate layer (Linear, Conv2d, Matmul) in ``model``."""
    return [(n, m) for n, m in model.named_modules() if isinstance(m, ApproxModule)]
