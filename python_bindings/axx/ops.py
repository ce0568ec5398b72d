"""Approximate integer matmul and conv2d: every product goes through a multiplier's table.

Thin wrappers over the torch operators ``torch.ops.axx.lut_matmul`` and
``torch.ops.axx.lut_conv2d`` (registered by ``axx._C`` for CPU, CUDA and Meta tensors, so they
also work under TorchScript and ``torch.compile``). The wrappers fetch the multiplier's 256x256
table and exact low-rank form on the operands' device (cached, uploaded once) and pass them on.

Operands are raw 8-bit patterns: ``torch.int8`` for a signed multiplier, ``torch.uint8`` for an
unsigned one. Results are ``torch.int32`` sums of table entries, exactly
``sum_k lut[a[..., i, k]][b[..., k, j]]`` (int32 accumulation, wrapping like the hardware would).

``path`` picks the kernel family: ``"auto"`` (the fastest exact one: the low-rank GEMMs when the
multiplier has an exact low-rank form, else the table lookup), ``"lut"``, ``"lowrank"`` (an error
when the multiplier has no low-rank form) or ``"baseline"`` (a kernel of the peers' design, the
yardstick of the benchmarks: AdaPT's one-lookup-per-multiply loop on CPU, TransAxx's kernel on CUDA).
Every path gives the same result bit for bit.

Bad arguments raise :class:`axx.ArgumentTypeError` (a wrong type or dtype; also a ``TypeError``)
or :class:`axx.UsageError` (wrong shapes, devices, parameters; also a ``ValueError``), with a
message that names the op and the argument (docs/errors.md). The torch operators called directly
raise torch's ``TypeError`` / ``ValueError`` with the same messages.
"""
from __future__ import annotations

import numbers

import torch

from . import _C
from ._multiplier import Multiplier

__all__ = ["lut_matmul", "lut_conv2d", "PATHS"]

PATHS = ("auto", "lut", "lowrank", "baseline")


def _check_multiplier(op: str, multiplier: object) -> Multiplier:
    if not isinstance(multiplier, Multiplier):
        raise _C.ArgumentTypeError(f"{op}: multiplier must be an axx.Multiplier, got "
                                   f"{type(multiplier).__name__}")
    return multiplier


def _check_tensor(op: str, name: str, t: object) -> None:
    if not isinstance(t, torch.Tensor):
        raise _C.ArgumentTypeError(f"{op}: {name} must be a torch.Tensor, got {type(t).__name__}")


def _check_device(op: str, name: str, t: torch.Tensor) -> None:
    """Devices without kernels fail here, by name, rather than in torch's dispatcher."""
    kind = t.device.type
    if kind == "cuda" and not _C.has_cuda_ops:
        raise _C.UsageError(f"{op}: {name} is on {t.device}, but this build of axx has no CUDA "
                            f"kernels (built with AXX_CUDA=OFF)")
    if kind not in ("cpu", "cuda", "meta"):
        raise _C.UsageError(f"{op}: {name} is on {t.device}; axx runs on cpu and cuda tensors")


def _check_path(op: str, path: object) -> None:
    if not isinstance(path, str):
        raise _C.ArgumentTypeError(f"{op}: path must be a str (one of {', '.join(PATHS)}), got "
                                   f"{type(path).__name__}")


def _call(op: str, fn, *args):
    """Runs a torch operator, raising its argument errors as axx's: the C++ checks raise torch's
    TypeError (dtypes) and ValueError (the rest), each message starting with ``op``."""
    try:
        return fn(*args)
    except TypeError as e:
        if str(e).startswith(op + ": "):
            raise _C.ArgumentTypeError(str(e)) from None
        raise
    except ValueError as e:
        if str(e).startswith(op + ": "):
            raise _C.UsageError(str(e)) from None
        raise


def _pair(name: str, value: int | tuple[int, int] | list[int]) -> list[int]:
    def is_int(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool)

    if is_int(value):
        return [int(value), int(value)]
    if not isinstance(value, (tuple, list, torch.Size)) or not all(is_int(v) for v in value):
        raise _C.ArgumentTypeError(f"axx.lut_conv2d: {name} must be an int or a pair of ints, got "
                                   f"{value!r}")
    if len(value) != 2:
        raise _C.UsageError(f"axx.lut_conv2d: {name} must be an int or a pair, got {value!r}")
    return [int(v) for v in value]


def lut_matmul(a: torch.Tensor, b: torch.Tensor, multiplier: Multiplier, *,
               path: str = "auto") -> torch.Tensor:
    """Approximate matrix product ``c[..., i, j] = sum_k lut[a[..., i, k]][b[..., k, j]]``.

    Args:
        a: ``(..., M, K)`` int8 (signed multiplier) or uint8 (unsigned), the table's row operand
            (activations).
        b: ``(K, N)`` or ``(..., K, N)``, same dtype and device as ``a``, the column operand
            (weights). Batch dimensions broadcast like :func:`torch.matmul`.
        multiplier: the :class:`axx.Multiplier` whose table replaces every product.
        path: ``"auto"``, ``"lut"``, ``"lowrank"`` or ``"baseline"`` (module docstring).

    Returns:
        ``torch.int32`` tensor of shape ``(broadcast batch..., M, N)`` on ``a``'s device.

    >>> m = axx.Multiplier.builtin("mul8s_exact")                     # doctest: +SKIP
    >>> a = torch.randint(-128, 128, (4, 16), dtype=torch.int8)       # doctest: +SKIP
    >>> b = torch.randint(-128, 128, (16, 8), dtype=torch.int8)       # doctest: +SKIP
    >>> axx.ops.lut_matmul(a, b, m).equal(a.int() @ b.int())          # doctest: +SKIP
    True
    """
    op = "axx.lut_matmul"
    m = _check_multiplier(op, multiplier)
    _check_tensor(op, "a", a)
    _check_tensor(op, "b", b)
    _check_path(op, path)
    _check_device(op, "a", a)
    _check_device(op, "b", b)
    lut, u, v = m._tables(a.device, op)
    return _call(op, torch.ops.axx.lut_matmul, a, b, lut, u, v, m.is_signed, path)


def lut_conv2d(x: torch.Tensor, w: torch.Tensor, multiplier: Multiplier, stride=1, padding=0,
               dilation=1, groups: int = 1, *, path: str = "auto") -> torch.Tensor:
    """Approximate 2-D convolution (cross-correlation, like :func:`torch.nn.functional.conv2d`)
    with every product ``x * w`` replaced by ``lut[x][w]``.

    Args:
        x: input ``(N, C, H, W)``, int8 (signed multiplier) or uint8 (unsigned); the table's row
            operand. Zero padding pads with the pattern 0, so padded taps add ``lut[0][w]``.
        w: weight ``(O, C // groups, KH, KW)``, same dtype and device; the column operand.
        multiplier: the :class:`axx.Multiplier`.
        stride, padding, dilation: int or pair (height, width), as in torch.
        groups: input and output channels are split into this many groups (``groups == C`` with
            ``O == C`` is a depthwise convolution).
        path: ``"auto"``, ``"lut"``, ``"lowrank"`` or ``"baseline"`` (module docstring).

    Returns:
        ``torch.int32`` tensor ``(N, O, OH, OW)`` with
        ``OH = (H + 2*padding[0] - dilation[0]*(KH-1) - 1) // stride[0] + 1`` (OW likewise).
    """
    op = "axx.lut_conv2d"
    m = _check_multiplier(op, multiplier)
    _check_tensor(op, "x", x)
    _check_tensor(op, "w", w)
    _check_path(op, path)
    params = [_pair("stride", stride), _pair("padding", padding), _pair("dilation", dilation)]
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral):
        raise _C.ArgumentTypeError(f"{op}: groups must be an int, got {groups!r}")
    _check_device(op, "x", x)
    _check_device(op, "w", w)
    lut, u, v = m._tables(x.device, op)
    return _call(op, torch.ops.axx.lut_conv2d, x, w, lut, u, v, m.is_signed, *params, int(groups),
                 path)
