"""The approximate product shared by every layer: quantize, table product, dequantize, backward.

One autograd function, :class:`_ApproxProduct`, serves linear, conv2d and matmul; what
differs between them (the integer op, the float op, how scales broadcast, how to see the
product as batched matrix products for the table gradient) lives in a small ``_Kind``.

Forward: ``y = kind.lut(q(a), q(b)) * scale_a * scale_b (+ bias)`` with ``q`` the symmetric int8
quantizer of :mod:`axx.quant` and the layer's bias, if any, added in float. For float32 operands
the quantizer and the dequantization each run as one pass, ``torch.ops.axx.quantize`` and
``torch.ops.axx.dequantize`` (the emulator's quantize / dequantize kernels, CPU and CUDA), bit for
bit the torch expressions ``round(x / s).clamp(qmin, qmax).to(int8)`` and ``acc.float() * s``
that other dtypes run; in inference the bias add runs in the dequantization's pass too (two
roundings, bit for bit ``acc.float() * s + bias``). With autograd the bias is added after the
product, by torch, as before.

Backward, ``grad="ste"`` (default): the gradient of the exact float product of the
fake-quantized operands, ``kind.float(q(a)*scale_a, q(b)*scale_b)``, passed straight
through the rounding (and zeroed where the operand was clipped).

Backward, ``grad="lut"``: the table itself is differentiated numerically along each
operand (central differences of ``lut`` along a and along b, one-sided at the ends of the
range), and each product contributes the derivative at its own operand pair:
``d y[m, n] / d a[m, k] = scale_b[n] * dLUT/da[q(a)[m, k], q(b)[k, n]]``. Both operand
gradients are table-lookup GEMMs with a float operand, ``torch.ops.axx.lut_grad_matmul``
(the emulator's lut_grad kernels, CPU and CUDA): a table lookup and a float multiply-add per
product and side, so a grad="lut" backward costs about two forward LUT GEMMs. Tables with a
small exact low-rank form have difference tables of rank R + 1 and run as R + 1 float GEMMs per
side instead (:meth:`Table.difference_factors`; the exact table: one, the STE gradient).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .. import _C, ops
from ..quant import QMAX

GRAD_MODES = ("ste", "lut")

# Chunk size (elements) of the gathers of the torch table-gradient backward (tables whose
# doubled differences overflow int32 only).
_LUT_GRAD_CHUNK = 1 << 22

# Largest rank of a table's exact low-rank form whose table gradients run as float GEMMs
# (Table.difference_factors) on CUDA: rank + 1 float GEMMs per side against one pass of the lookup
# kernel. Measured on the H200 (`bench/python/lut_grad_gpu.py --sweep`, ViT-B/16 linear shapes at
# batch 32, docs/benchmarks.md): the factor path is faster than the kernel up to rank 8 on seven
# of the eight shape-and-side cases and up to rank 6 on all of them (proj, grad a: 1.78 ms at
# rank 6, 2.03 ms at rank 7, kernel 1.96 ms). On the CPU an sgemm term costs about as much as a
# few plain-loop lookups.
_LOWRANK_GRAD_MAX_RANK_CUDA = 6
_LOWRANK_GRAD_MAX_RANK_CPU = 16


class Table:
    """What the layers need from a multiplier: the signed 8-bit multiplier the ops run, and
    (lazily) the table's numerical derivatives.

    Unsigned multipliers run in sign-magnitude mode: magnitudes ``|a|, |b|`` go through the
    unsigned table and the sign ``sgn(a) * sgn(b)`` is applied to each product. That is
    exactly the signed table ``lut_sm[a][b] = sgn(a) sgn(b) lut[|a|][|b|]`` (``sgn(0) = +1``,
    as a sign bit reads), which is built once so the product runs as one signed lookup
    matmul per call, per product exact even when ``lut[0][b] != 0``.
    """

    def __init__(self, multiplier):
        self.multiplier = multiplier
        bits = (multiplier.bits_a, multiplier.bits_b)
        if multiplier.is_signed:
            if bits != (8, 8):
                raise _C.UsageError(f"multiplier '{multiplier.name}': the approximate layers quantize to "
                                    f"int8 and need an 8x8-bit signed table, got {bits[0]}x{bits[1]} bits")
            self.ops_multiplier = multiplier
        else:
            if min(bits) < 7 or max(bits) > 8:
                raise _C.UsageError(f"multiplier '{multiplier.name}': sign-magnitude mode needs an unsigned "
                                    f"table of 7 or 8 bits per operand (magnitudes up to 127), "
                                    f"got {bits[0]}x{bits[1]} bits")
            self.ops_multiplier = _sign_magnitude(multiplier)
        self._derivs: dict = {}

    @property
    def sign_magnitude(self) -> bool:
        return not self.multiplier.is_signed

    def derivatives(self, device) -> tuple[torch.Tensor, torch.Tensor]:
        """(dLUT/da, dLUT/db) as float32 (256, 256) tensors indexed by value + 128."""
        device = torch.device(device)
        if device not in self._derivs:
            lut = self.ops_multiplier.lut.to(torch.float64)
            by_value = (torch.arange(256) - 128) & 255  # row/column of value v is v & 255
            t = lut[by_value][:, by_value]
            da = torch.gradient(t, dim=0)[0]
            db = torch.gradient(t, dim=1)[0]
            self._derivs[device] = (da.float().to(device), db.float().to(device))
        return self._derivs[device]

    def difference_tables(self, device) -> tuple[torch.Tensor, torch.Tensor] | None:
        """(2 dLUT/da, 2 dLUT/db) as int32 (256, 256) tensors indexed by operand pattern, like
        the lut (the kernels' layout), or None when some entry does not fit int32.

        Central differences of an integer table are multiples of 1/2, so the doubled tables
        are integer; the kernels scale their sums by 1/2.
        """
        device = torch.device(device)
        key = ("doubled", device)
        if key not in self._derivs:
            lut = self.ops_multiplier.lut.to(torch.int64)
            by_value = (torch.arange(256) - 128) & 255
            t = lut[by_value][:, by_value]                     # indexed by value + 128
            tables = []
            for dim in (0, 1):
                tv = t if dim == 0 else t.t()
                d = torch.empty_like(tv)
                d[1:-1] = tv[2:] - tv[:-2]
                d[0] = 2 * (tv[1] - tv[0])                     # one-sided at the ends, doubled
                d[-1] = 2 * (tv[-1] - tv[-2])
                tables.append(d if dim == 0 else d.t())
            fits = all(int(d.abs().max()) < 2**31 for d in tables)
            back = torch.arange(256) ^ 128                      # pattern p holds value index p ^ 128
            self._derivs[key] = (tuple(d[back][:, back].to(torch.int32).contiguous().to(device)
                                       for d in tables) if fits else None)
        return self._derivs[key]

    def difference_factors(self, device) -> tuple | None:
        """Exact factorizations of :meth:`difference_tables` from the table's low-rank form
        ``lut[a][b] = a*b + sum_r u_r[a] v_r[b]`` (rank R): differences are linear, so
        ``2 dLUT/da = 2b + sum_r du_r[a] v_r[b]`` and ``2 dLUT/db = 2a + sum_r u_r[a] dv_r[b]``
        with ``du_r``, ``dv_r`` the doubled differences of the factors. Returns
        ``((la, ra), (lb, rb))``, float32 (R + 1, 256) tensors indexed by pattern with
        ``D2A[a][b] = sum_s la[s][a] ra[s][b]`` (likewise D2B), or None when the table has no form
        (or its factors are not exact in float32).
        """
        device = torch.device(device)
        key = ("factors", device)
        if key not in self._derivs:
            self._derivs[key] = self._factors()
            if self._derivs[key] is not None:
                self._derivs[key] = tuple(tuple(f.to(device) for f in pair) for pair in self._derivs[key])
        return self._derivs[key]

    def _factors(self):
        _, u, v = self.ops_multiplier._tables("cpu")
        doubled = self.difference_tables("cpu")
        if u is None or doubled is None:
            return None
        by_value = (torch.arange(256) - 128) & 255
        back = torch.arange(256) ^ 128

        def diff2(f):                               # doubled differences along values, by pattern
            fv = f.long()[:, by_value]
            d = torch.empty_like(fv)
            d[:, 1:-1] = fv[:, 2:] - fv[:, :-2]
            d[:, 0] = 2 * (fv[:, 1] - fv[:, 0])
            d[:, -1] = 2 * (fv[:, -1] - fv[:, -2])
            return d[:, back]

        vals = (torch.arange(256) ^ 128) - 128       # value of each pattern (signed table)
        ones = torch.ones(1, 256, dtype=torch.int64)
        la, ra = torch.cat([ones, diff2(u)]), torch.cat([2 * vals[None], v.long()])
        lb, rb = torch.cat([2 * vals[None], u.long()]), torch.cat([ones, diff2(v)])
        for (l, r), d in zip(((la, ra), (lb, rb)), doubled):
            if max(int(l.abs().max()), int(r.abs().max())) >= 2**24 or not torch.equal(l.t() @ r, d.long()):
                return None                          # checked on all 65536 entries of each table
        return (la.float(), ra.float()), (lb.float(), rb.float())


def _sign_magnitude(multiplier):
    from .._multiplier import Multiplier

    v = torch.arange(256) - 128                            # operand values -128..127
    mag = v.abs()                                          # |-128| = 128 is a valid row
    sgn = torch.where(v < 0, -1, 1)
    lut = multiplier.lut.to(torch.int64)
    rows = mag.clamp(max=lut.shape[0] - 1)
    cols = mag.clamp(max=lut.shape[1] - 1)
    by_value = lut[rows][:, cols] * sgn[:, None] * sgn[None, :]
    table = torch.empty(256, 256, dtype=torch.int64)
    idx = v & 255
    table[idx[:, None], idx[None, :]] = by_value
    return Multiplier.from_lut(table.to(torch.int32), signed=True, name=f"{multiplier.name}[sign-magnitude]")


_TABLES: dict[int, Table] = {}


def check_grad_mode(where: str, grad) -> None:
    """axx.UsageError naming WHERE and the ``grad=`` argument unless it is one of GRAD_MODES."""
    if not isinstance(grad, str) or grad not in GRAD_MODES:
        raise _C.UsageError(f"{where}: unknown grad mode grad={grad!r}; choose one of {', '.join(GRAD_MODES)}")


def table_for(multiplier) -> Table:
    """The (cached) :class:`Table` of a multiplier."""
    t = _TABLES.get(id(multiplier))
    if t is None or t.multiplier is not multiplier:
        t = Table(multiplier)
        _TABLES[id(multiplier)] = t  # holds the multiplier, so its id is not reused
    return t


# ---------------------------------------------------------------------------------------
# Kinds of product


def _gather_grads(qa, qb, g_a, g_b, table, need_a, need_b):
    """Table-gradient backward of batched products ``(B, M, K) x (B, K, N)``.

    ``qa``/``qb`` are int8 operands, ``g_a``/``g_b`` the output gradients (B, M, N) already
    multiplied by the scale each side needs. Returns the gradients wrt qa's and qb's
    values, ``ga[b,m,k] = sum_n g_a[b,m,n] da[qa, qb]`` and ``gb[b,k,n] = sum_m g_b[b,m,n] db[qa, qb]``,
    with ``da``/``db`` the table's derivatives (:meth:`Table.derivatives`).
    """
    factors = table.difference_factors(qa.device) if _lowrank_grads_apply(table, qa.device) else None
    if factors is not None:
        return _lowrank_grads(qa, qb, g_a, g_b, factors, need_a, need_b)
    doubled = table.difference_tables(qa.device)
    if doubled is None:
        return _gather_grads_torch(qa, qb, g_a, g_b, *table.derivatives(qa.device), need_a, need_b)
    d2a, d2b = doubled
    ga = torch.ops.axx.lut_grad_matmul(qa, qb, g_a.float(), d2a, "a", 0.5) if need_a else None
    gb = torch.ops.axx.lut_grad_matmul(qa, qb, g_b.float(), d2b, "b", 0.5) if need_b else None
    return ga, gb


def _scaled_grads(qa, qb, g, sa, sb, table, need_a, need_b):
    """:func:`_gather_grads` with the output gradient ``g`` not yet scaled: side a needs
    ``g * sb``, side b ``g * sa``. A scalar scale goes onto whichever is smaller, the output
    gradient or the side's result (the sums are linear in it), and a side that is not needed
    costs nothing: the linear layers' weight side then scales a (K, N) result instead of the
    (tokens, N) gradient."""
    def scaled(q, s, need):  # (the side's gradient input, the scale still to apply to its result)
        if not need:
            return None, None
        if s.numel() == 1 and q.shape[-2] * q.shape[-1] * g.shape[0] < g.numel():
            return g, s
        return g * s, None

    g_a, post_a = scaled(qa, sb, need_a)
    g_b, post_b = scaled(qb, sa, need_b)
    ga, gb = _gather_grads(qa, qb, g_a, g_b, table, need_a, need_b)
    if post_a is not None:
        ga = ga.mul_(post_a)
    if post_b is not None:
        gb = gb.mul_(post_b)
    return ga, gb


def _lowrank_grads_apply(table, device) -> bool:
    """Whether the table gradients run as float GEMMs on the factors (:meth:`Table.difference_factors`):
    only in full float32 precision (TF32 or bf16 GEMMs would round the integer factors), on CUDA
    up to rank _LOWRANK_GRAD_MAX_RANK_CUDA (R + 1 GEMMs per side against one LUT-kernel pass),
    on the CPU up to _LOWRANK_GRAD_MAX_RANK_CPU (there the lookups are plain loops)."""
    if torch.get_float32_matmul_precision() != "highest":
        return False
    cuda = torch.device(device).type == "cuda"
    if cuda and torch.backends.cuda.matmul.allow_tf32:
        return False
    rank = table.ops_multiplier.rank
    return rank is not None and rank <= (_LOWRANK_GRAD_MAX_RANK_CUDA if cuda else _LOWRANK_GRAD_MAX_RANK_CPU)


def _lowrank_grads(qa, qb, g_a, g_b, factors, need_a, need_b):
    """:func:`_gather_grads` through the factors: ``ga = 1/2 sum_s la[s][qa] * (g_a @ ra[s][qb]^T)``,
    ``gb = 1/2 sum_s rb[s][qb] * (lb[s][qa]^T @ g_b)``; exact wherever the float sums are."""
    (la, ra), (lb, rb) = factors
    pa, pb = qa.long() & 255, qb.long() & 255
    ga = gb = None
    if need_a:
        g = g_a.float()
        for s in range(la.shape[0]):
            t = torch.matmul(g, ra[s][pb].transpose(-1, -2))
            t = t if s == 0 else t.mul_(la[s][pa])      # la[0] is all ones
            ga = t if ga is None else ga.add_(t)
        ga = ga.mul_(0.5)
    if need_b:
        g = g_b.float()
        for s in range(lb.shape[0]):
            t = torch.matmul(lb[s][pa].transpose(-1, -2), g)
            t = t if s == 0 else t.mul_(rb[s][pb])      # rb[0] is all ones
            gb = t if gb is None else gb.add_(t)
        gb = gb.mul_(0.5)
    return ga, gb


def _gather_grads_torch(qa, qb, g_a, g_b, da, db, need_a, need_b):
    """:func:`_gather_grads` as torch gathers, in chunks (tables beyond the kernels' int32)."""
    B, M, K = qa.shape
    N = qb.shape[2]
    ia = qa.long() + 128
    ib = qb.long() + 128
    ga = torch.zeros(qa.shape, dtype=g_a.dtype, device=qa.device) if need_a else None
    gb = torch.zeros(qb.shape, dtype=g_b.dtype, device=qa.device) if need_b else None
    da_flat, db_flat = da.flatten(), db.flatten()
    step = max(1, _LUT_GRAD_CHUNK // max(1, B * K * N))
    for m0 in range(0, M, step):
        m1 = min(M, m0 + step)
        idx = ia[:, m0:m1, :, None] * 256 + ib[:, None, :, :]          # (B, m, K, N)
        if need_a:
            ga[:, m0:m1] = (da_flat[idx] * g_a[:, m0:m1, None, :]).sum(-1)
        if need_b:
            gb += (db_flat[idx] * g_b[:, m0:m1, None, :]).sum(1)
    return ga, gb


class _Kind:
    """One kind of product. ``b_scale_view`` reshapes b's scale (scalar or per output channel)
    to broadcast against b; ``out_scale_view`` against the output. ``b_channel_dim`` and
    ``out_channel_dim`` are the dimensions of b and of the output along which a per-channel
    scale runs (what the one-pass quantize / dequantize ops take)."""

    b_channel_dim = 0
    out_channel_dim = -1

    def lut(self, qa, qb, multiplier):
        raise NotImplementedError

    def float(self, a, b):
        raise NotImplementedError

    def b_scale_view(self, sb, b):
        return sb

    def out_scale_view(self, sb, y):
        return sb

    def lut_grads(self, qa, qb, g, sa, sb, table, need_a, need_b):
        raise NotImplementedError


class LinearKind(_Kind):
    """``a (..., K)`` times weight ``b (N, K)``: ``y = a @ b.T``; scales of b per row ``n``, of the
    output per last index."""

    def lut(self, qa, qb, multiplier):
        return ops.lut_matmul(qa, qb.t().contiguous(), multiplier)

    def float(self, a, b):
        return F.linear(a, b)

    def b_scale_view(self, sb, b):
        return sb.reshape(-1, 1) if sb.dim() else sb

    def lut_grads(self, qa, qb, g, sa, sb, table, need_a, need_b):
        K = qa.shape[-1]
        a2 = qa.reshape(1, -1, K)
        b2 = qb.t().contiguous().unsqueeze(0)   # once for both sides (the op would copy per call)
        g2 = g.reshape(1, -1, qb.shape[0])
        ga, gb = _scaled_grads(a2, b2, g2, sa, sb, table, need_a, need_b)
        return (ga.reshape(qa.shape) if need_a else None), (gb[0].t() if need_b else None)


class MatmulKind(_Kind):
    """``a (..., M, K) @ b (..., K, N)`` with torch.matmul broadcasting; per-tensor scales."""

    def lut(self, qa, qb, multiplier):
        return ops.lut_matmul(qa, qb, multiplier)

    def float(self, a, b):
        return torch.matmul(a, b)

    def lut_grads(self, qa, qb, g, sa, sb, table, need_a, need_b):
        batch = torch.broadcast_shapes(qa.shape[:-2], qb.shape[:-2])
        a3 = qa.expand(*batch, *qa.shape[-2:]).reshape(-1, *qa.shape[-2:])
        b3 = qb.expand(*batch, *qb.shape[-2:]).reshape(-1, *qb.shape[-2:])
        g3 = g.reshape(-1, *g.shape[-2:])
        ga, gb = _scaled_grads(a3, b3, g3, sa, sb, table, need_a, need_b)
        if need_a:
            ga = _sum_to(ga.reshape(*batch, *qa.shape[-2:]), qa.shape)
        if need_b:
            gb = _sum_to(gb.reshape(*batch, *qb.shape[-2:]), qb.shape)
        return ga, gb


def _sum_to(t, shape):
    """Sum the broadcast dimensions of ``t`` back to ``shape``."""
    lead = t.dim() - len(shape)
    if lead:
        t = t.sum(dim=tuple(range(lead)))
    dims = tuple(i for i, s in enumerate(shape) if s == 1 and t.shape[i] != 1)
    return t.sum(dim=dims, keepdim=True) if dims else t


class Conv2dKind(_Kind):
    """``conv2d(x (N, C, H, W), w (O, C/groups, KH, KW))`` with zero padding of the
    quantized input (padded taps are operand 0, as in the ops). Per-channel scales run along
    w's dimension 0 and the output's dimension 1."""

    out_channel_dim = 1

    def __init__(self, stride, padding, dilation, groups):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def lut(self, qa, qb, multiplier):
        return ops.lut_conv2d(qa, qb, multiplier, self.stride, self.padding, self.dilation, self.groups)

    def float(self, a, b):
        return F.conv2d(a, b, None, self.stride, self.padding, self.dilation, self.groups)

    def b_scale_view(self, sb, b):
        return sb.reshape(-1, 1, 1, 1) if sb.dim() else sb

    def out_scale_view(self, sb, y):
        return sb.reshape(1, -1, 1, 1) if sb.dim() else sb

    def lut_grads(self, qa, qb, g, sa, sb, table, need_a, need_b):
        N, C, H, W = qa.shape
        O, Cg, KH, KW = qb.shape
        G = self.groups
        Og = O // G
        cols = F.unfold(qa.float(), (KH, KW), self.dilation, self.padding, self.stride)  # (N, C*KH*KW, L)
        L = cols.shape[-1]
        cols = cols.round().to(torch.int8).reshape(N, G, Cg * KH * KW, L)
        a_mat = cols.permute(1, 0, 3, 2).reshape(G, N * L, Cg * KH * KW)               # (G, N*L, CgK)
        b_mat = qb.reshape(G, Og, Cg * KH * KW).transpose(1, 2)                          # (G, CgK, Og)
        g_mat = g.reshape(N, G, Og, L).permute(1, 0, 3, 2).reshape(G, N * L, Og)
        sbv = sb.reshape(G, 1, Og) if sb.dim() else sb
        ga, gb = _scaled_grads(a_mat, b_mat, g_mat, sa, sbv, table, need_a, need_b)
        grad_x = grad_w = None
        if need_a:
            ga = ga.reshape(G, N, L, Cg * KH * KW).permute(1, 0, 3, 2).reshape(N, C * KH * KW, L)
            grad_x = F.fold(ga, (H, W), (KH, KW), self.dilation, self.padding, self.stride)
        if need_b:
            grad_w = gb.transpose(1, 2).reshape(O, Cg, KH, KW)
        return grad_x, grad_w


def _fused(dtype, device, scale) -> bool:
    """Whether the one-pass ops (``torch.ops.axx.quantize`` / ``dequantize``) compute for a tensor
    of ``dtype`` on ``device`` with ``scale``: both float32, on one device the ops run on. Anything
    else (float16, bfloat16, float64; a CPU scale with a CUDA tensor, which torch's CUDA division
    multiplies by its reciprocal) runs the torch expressions, which the ops equal bit for bit where
    they run."""
    if dtype != torch.float32 or scale.dtype != torch.float32 or scale.device != device:
        return False
    kind = device.type
    return kind in ("cpu", "meta") or (kind == "cuda" and _C.has_cuda_ops)


def _quantize(x, scale, narrow_range, need_fq=False, need_keep=False, dim=0):
    """(int8 codes, fake-quantized float or None, in-range mask or None), in few passes.

    ``scale`` is a scalar tensor or broadcasts against ``x`` with one scale per index along
    ``dim`` (the weights' output channels)."""
    qmin = -QMAX if narrow_range else -QMAX - 1
    if not (need_fq or need_keep) and _fused(x.dtype, x.device, scale):
        return torch.ops.axx.quantize(x, scale.reshape(-1), dim, qmin, QMAX), None, None  # one pass
    # Training needs the rounded floats anyway (fq is not codes * scale: round() keeps the sign of
    # t, so values in (-0.5, 0) give -0, which the int8 codes lose), and the codes follow from them.
    t = x / scale
    q = torch.round(t).clamp_(qmin, QMAX)
    codes = q.to(torch.int8)
    keep = t.abs_() < QMAX + 0.5 if need_keep else None     # clipped operands get no gradient
    return codes, (q.mul_(scale) if need_fq else None), keep


def _add_bias(y, bias, dim):
    """``y + bias`` with ``bias`` (C,) along ``y``'s dimension ``dim``: as given along the last
    dimension (the linear layers' ``y + bias``), else viewed as (1, .., C, .., 1) (conv2d's
    ``y + bias.reshape(1, -1, 1, 1)``), so the expressions, and bias's gradient, are the layers'
    own from before."""
    if dim in (-1, y.dim() - 1):
        return y + bias
    shape = [1] * y.dim()
    shape[dim] = -1
    return y + bias.reshape(shape)


def _dequantize(acc, s, dtype, dim, bias=None):
    """``acc`` (int32) as ``dtype`` times the output scale ``s`` (a scalar or one scale per
    index along ``dim``, already of ``dtype``), plus ``bias`` (one per index along ``dim``) when
    given: in the same pass when the one-pass op computes (``bias`` float32 on ``acc``'s device
    too), else added after, as ``y + bias``."""
    if _fused(dtype, acc.device, s):
        if bias is None:
            return torch.ops.axx.dequantize(acc, s.reshape(-1), dim)
        if (bias.dtype == torch.float32 and bias.device == acc.device and bias.dim() == 1
                and acc.dim() > 0 and bias.shape[0] == acc.shape[dim]):
            return torch.ops.axx.dequantize(acc, s.reshape(-1), dim, bias)
    y = acc.to(dtype).mul_(s)
    return y if bias is None else _add_bias(y, bias, dim)


def _forward(a, b, sa, sb, kind, table, narrow_range, need_a=False, need_b=False, ste=False, bias=None):
    sbv = kind.b_scale_view(sb, b)
    fq = ste and (need_a or need_b)      # the STE backward multiplies both fake-quantized operands
    qa, fa, keep_a = _quantize(a, sa, narrow_range, fq, need_a)
    qb, fb, keep_b = _quantize(b, sbv, narrow_range, fq, need_b, kind.b_channel_dim)
    acc = kind.lut(qa, qb, table.ops_multiplier)
    s = (sa * kind.out_scale_view(sb, acc)).to(a.dtype)
    y = _dequantize(acc, s, a.dtype, kind.out_channel_dim, bias)
    return y, (qa, qb, fa, fb, keep_a, keep_b)


class _ApproxProduct(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, sa, sb, kind, table, grad_mode, narrow_range):
        need_a, need_b = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        y, (qa, qb, fa, fb, keep_a, keep_b) = _forward(a, b, sa, sb, kind, table, narrow_range, need_a, need_b,
                                                       ste=grad_mode == "ste")
        ctx.kind, ctx.table, ctx.grad_mode = kind, table, grad_mode
        ctx.dtype = a.dtype
        if grad_mode == "ste":
            # the fake-quantized operands are all the exact-product gradient needs
            ctx.save_for_backward(fa, fb, keep_a, keep_b)
        else:
            ctx.save_for_backward(qa, qb, sa, sb, keep_a, keep_b)
        return y

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        kind = ctx.kind
        ga = gb = None
        if ctx.grad_mode == "ste":
            fa, fb, keep_a, keep_b = ctx.saved_tensors
            with torch.enable_grad():
                af = fa.detach().requires_grad_(need_a)
                bf = fb.detach().requires_grad_(need_b)
                y = kind.float(af, bf)
                inputs = [t for t, need in ((af, need_a), (bf, need_b)) if need]
                grads = list(torch.autograd.grad(y, inputs, g)) if inputs else []
            ga = grads.pop(0) if need_a else None
            gb = grads.pop(0) if need_b else None
        else:
            qa, qb, sa, sb, keep_a, keep_b = ctx.saved_tensors
            ga, gb = kind.lut_grads(qa, qb, g.float(), sa.float(), sb.float(), ctx.table, need_a, need_b)
            # the table gradients are fresh tensors: masked in place
            ga = ga.to(ctx.dtype).mul_(keep_a) if ga is not None else None
            gb = gb.to(ctx.dtype).mul_(keep_b) if gb is not None else None
            return ga, gb, None, None, None, None, None, None
        if ga is not None:
            ga = ga * keep_a
        if gb is not None:
            gb = gb * keep_b
        return ga, gb, None, None, None, None, None, None


def approx_product(a, b, sa, sb, kind: _Kind, table: Table, grad: str = "ste", narrow_range: bool = True,
                   bias=None):
    """``kind``'s product of ``a`` and ``b`` through ``table`` (see the module docstring), plus
    ``bias`` when given.

    ``sa`` is a scalar scale tensor; ``sb`` a scalar or one scale per output channel; ``bias``
    None or one value per output channel, ``(C,)`` along ``kind.out_channel_dim`` (the linear
    layers' last dimension, conv2d's dimension 1). The result is the product plus the bias as the
    layers added it before, ``y + bias``, bit for bit: in inference the dequantization adds it in
    its pass where the op computes; with autograd it is added after the product, so that it gets
    its gradient as before.
    """
    check_grad_mode("axx.nn.approx_product", grad)
    grad_enabled = torch.is_grad_enabled()
    if grad_enabled and (a.requires_grad or b.requires_grad):
        y = _ApproxProduct.apply(a, b, sa, sb, kind, table, grad, narrow_range)
        return y if bias is None else _add_bias(y, bias, kind.out_channel_dim)
    if bias is not None and grad_enabled and bias.requires_grad:
        # only the bias trains: torch's add records its gradient
        y = _forward(a, b, sa, sb, kind, table, narrow_range)[0]
        return _add_bias(y, bias, kind.out_channel_dim)
    return _forward(a, b, sa, sb, kind, table, narrow_range, bias=bias)[0]  # inference: nothing to save
