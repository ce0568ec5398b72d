"""torch.ops.axx.quantize / dequantize (the layers' one-pass quantizer and dequantization, the
latter with the layers' bias fused) on CPU and CUDA: bit for bit the torch expressions they
replace, ties, ranges and infinities included, and the bias add's two roundings where one fused
multiply-add would differ; argument errors; Meta, TorchScript and torch.compile; and the layers'
outputs and gradients unchanged against the expressions the forward ran before."""
from __future__ import annotations

import contextlib
import os

import pytest
import torch
import torch.nn.functional as F

import axx
from axx.nn import ApproxConv2d, ApproxLinear, ApproxMatmul
from axx.nn import _product
from axx.quant import QMAX, weight_scale

QUANTIZE = torch.ops.axx.quantize
DEQUANTIZE = torch.ops.axx.dequantize
EXACT = axx.Multiplier.builtin("mul8s_exact")
_g = torch.Generator().manual_seed(5)
RANDOM = axx.Multiplier.from_lut(torch.randint(-20000, 20000, (256, 256), generator=_g, dtype=torch.int32),
                                 name="random")
INF = float("inf")


def torch_quantize(x, scale_view, qmin=-QMAX, qmax=QMAX):
    """The expression the layers ran before the op."""
    return torch.round(x / scale_view).clamp(qmin, qmax).to(torch.int8)


def torch_dequantize(acc, scale_view):
    return acc.to(torch.float32).mul_(scale_view)


def view_along(scale, x, dim):
    """scale (C,) shaped to broadcast along x's dimension dim."""
    shape = [1] * x.dim()
    shape[dim] = -1
    return scale.reshape(shape)


def randn(shape, seed, device, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g) * scale).to(device)


def channel_scales(n, seed, device):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, generator=g) * 0.05 + 1e-3).to(device)


def same_bits(a, b):
    """Equal as bit patterns (NaN equals NaN, -0 differs from +0)."""
    return a.shape == b.shape and a.dtype == b.dtype and torch.equal(a.view(torch.int32), b.view(torch.int32))


@contextlib.contextmanager
def raises_exactly(exc_type, message):
    with pytest.raises(exc_type) as info:
        yield
    assert type(info.value) is exc_type
    text = str(info.value)
    if os.environ.get("TORCH_SHOW_CPP_STACKTRACES", "0") not in ("", "0"):
        text = text.split("\nException raised from ", 1)[0]
    assert text == message


# --- the ops against the torch expressions ---------------------------------------------------------

@pytest.mark.parametrize("narrow", [True, False])
def test_quantize_one_scale_equals_torch(device, narrow):
    qmin = -QMAX if narrow else -QMAX - 1
    for seed, shape in enumerate([(1,), (7,), (3, 1000), (2, 197, 768), (5, 3, 9, 11)]):
        x = randn(shape, seed, device, 3.0)
        s = torch.tensor(0.021, device=device)
        got = QUANTIZE(x, s.reshape(-1), 0, qmin, QMAX)
        assert got.dtype == torch.int8 and got.shape == x.shape and got.device == x.device
        assert torch.equal(got, torch_quantize(x, s, qmin)), shape
        # about a third beyond the range: the clamp is exercised
        assert ((got == QMAX) | (got == qmin)).float().mean() > 0.2 if x.numel() > 100 else True


@pytest.mark.parametrize("shape,dim", [((6, 5), 0), ((4, 6, 7), 1), ((3, 5, 6), -1), ((2, 6, 3, 3), 1),
                                       ((6, 3, 3, 3), 0), ((1000, 768), -1), ((2, 3, 6, 4), -2),
                                       ((2, 4, 5, 1001), 3)])
def test_per_channel_equals_torch(device, shape, dim):
    x = randn(shape, 1, device, 2.0)
    s = channel_scales(shape[dim], 2, device)
    sv = view_along(s, x, dim)
    assert torch.equal(QUANTIZE(x, s, dim, -QMAX, QMAX), torch_quantize(x, sv))
    assert torch.equal(QUANTIZE(x, s, dim, -QMAX - 1, QMAX), torch_quantize(x, sv, -QMAX - 1))
    g = torch.Generator().manual_seed(3)
    acc = torch.randint(-2**31, 2**31, shape, generator=g, dtype=torch.int64).to(torch.int32).to(device)
    assert same_bits(DEQUANTIZE(acc, s, dim), torch_dequantize(acc, sv))
    # a scale of any shape with the right number of elements, e.g. the layers' (C, 1) view
    assert torch.equal(QUANTIZE(x, s.reshape(-1, 1), dim, -QMAX, QMAX), torch_quantize(x, sv))


def test_exact_ties_round_half_to_even(device):
    # x / s = k + 0.5 exactly (s a power of two): torch.round and the op go to the even neighbour
    k = torch.arange(-140, 140, dtype=torch.float32)
    for s in (1.0, 0.25, 2.0 ** -9):
        x = ((k + 0.5) * s).to(device)
        sc = torch.tensor([s], device=device)
        got = QUANTIZE(x, sc, 0, -QMAX - 1, QMAX)
        even = torch.where(k % 2 == 0, k, k + 1).clamp(-QMAX - 1, QMAX).to(torch.int8)
        assert torch.equal(got.cpu(), even)
        assert torch.equal(got, torch_quantize(x, sc, -QMAX - 1))
    # per channel: channel c's ties against its own power-of-two scale
    s = torch.tensor([0.5, 0.125, 4.0], device=device)
    x = (k[:, None].to(device) + 0.5) * s          # (280, 3): dim -1
    assert torch.equal(QUANTIZE(x, s, -1, -QMAX, QMAX), torch_quantize(x, s))
    assert torch.equal(QUANTIZE(x.t().contiguous(), s, 0, -QMAX, QMAX), torch_quantize(x.t(), s[:, None]))


def test_out_of_range_and_infinities(device):
    s = torch.tensor([0.5], device=device)
    x = torch.tensor([63.5, 63.75, 64.0, 1e30, -1e30, INF, -INF, -63.5, -63.75, -64.0,
                      torch.finfo(torch.float32).max, torch.finfo(torch.float32).tiny], device=device)
    for qmin in (-QMAX, -QMAX - 1):
        assert torch.equal(QUANTIZE(x, s, 0, qmin, QMAX), torch_quantize(x, s, qmin))
    assert QUANTIZE(x, s, 0, -QMAX, QMAX).tolist() == [127, 127, 127, 127, -127, 127, -127, -127, -127, -127,
                                                        127, 0]
    assert QUANTIZE(x, s, 0, -3, 5).tolist() == [5, 5, 5, 5, -3, 5, -3, -3, -3, -3, 5, 0]
    # scale 0: +-inf clamp, 0 / 0 is NaN
    z = torch.tensor([1.0, -1.0, 0.0], device=device)
    assert QUANTIZE(z, torch.zeros(1, device=device), 0, -QMAX, QMAX).tolist() == [127, -127, 0]


def test_nan_quantizes_to_zero(device):
    # torch's float -> int8 conversion of NaN is undefined; the op documents 0
    x = torch.tensor([float("nan"), 1.0, -float("nan"), -1.0], device=device)
    assert QUANTIZE(x, torch.tensor([0.01], device=device), 0, -QMAX, QMAX).tolist() == [0, 100, 0, -100]


def test_dequantize_equals_torch(device):
    g = torch.Generator().manual_seed(9)
    acc = torch.randint(-2**31, 2**31, (37, 129), generator=g, dtype=torch.int64).to(torch.int32)
    acc[0, :6] = torch.tensor([2**24 + 1, 2**24 + 3, 2**31 - 1, -2**31, 0, -1], dtype=torch.int32)
    acc = acc.to(device)
    for s in (torch.tensor([0.1]), torch.tensor([3.0e-7]), torch.tensor([1e30])):  # 1e30 overflows to inf
        s = s.to(device)
        assert same_bits(DEQUANTIZE(acc, s, 0), torch_dequantize(acc, s))
    s = channel_scales(129, 4, device)
    assert same_bits(DEQUANTIZE(acc, s, 1), torch_dequantize(acc, s))
    assert same_bits(DEQUANTIZE(acc, s, -1), torch_dequantize(acc, s))


def test_views_empty_and_zero_dim(device):
    x = randn((9, 8, 5), 11, device, 2.0)
    s = channel_scales(8, 12, device)
    for v, dim in ((x.transpose(0, 2), 1), (x[::2, :, 1:], 1), (x.permute(1, 0, 2), 0)):
        assert not v.is_contiguous()
        assert torch.equal(QUANTIZE(v, s, dim, -QMAX, QMAX), torch_quantize(v, view_along(s, v, dim)))
    acc = torch.arange(-200, 160, dtype=torch.int32, device=device).reshape(9, 8, 5)
    v = acc[:, :, 1:]                                   # a storage offset and a gap
    assert same_bits(DEQUANTIZE(v, s, 1), torch_dequantize(v, view_along(s, v, 1)))
    # empty tensors give empty results, per-channel scales included
    e = torch.empty(0, 8, device=device)
    assert QUANTIZE(e, s, 1, -QMAX, QMAX).shape == (0, 8)
    assert QUANTIZE(e, torch.empty(0, device=device), 0, -QMAX, QMAX).shape == (0, 8)
    assert DEQUANTIZE(e.int(), s[:1], 0).dtype == torch.float32
    # a 0-dim tensor has the one dimension 0 / -1
    x0, one = torch.tensor(2.6, device=device), torch.ones(1, device=device)
    assert QUANTIZE(x0, one, -1, -QMAX, QMAX).item() == 3 and QUANTIZE(x0, one, 0, -QMAX, QMAX).shape == ()
    assert DEQUANTIZE(torch.tensor(-7, dtype=torch.int32, device=device), one * 0.5, 0).item() == -3.5


def _cancelling(shape, dim, device, seed):
    """(acc, scale (C,), bias (C,)) along ``dim`` of ``shape``: most accumulators near A_c and
    b_c = -(A_c * s_c) rounded to float32, so that ``acc * s + b`` cancels. There the float32
    product's rounding error decides the result: two roundings (torch's two kernels) and one
    fused multiply-add differ. The rest random over the whole int32 range."""
    g = torch.Generator().manual_seed(seed)
    c = shape[dim]
    s = torch.ldexp(1 + torch.rand(c, generator=g), -torch.randint(0, 12, (c,), generator=g)).float()
    center = torch.randint(-10**7, 10**7, (c,), generator=g, dtype=torch.int32)
    b = -(center.float() * s)
    near = center.reshape(view_shape(len(shape), dim))
    near = near + torch.randint(-3, 4, shape, generator=g, dtype=torch.int32)
    anything = torch.randint(-2**31, 2**31, shape, generator=g, dtype=torch.int64).to(torch.int32)
    acc = torch.where(torch.rand(shape, generator=g) < 0.75, near, anything)
    return acc.to(device), s.to(device), b.to(device)


def view_shape(rank, dim):
    shape = [1] * rank
    shape[dim] = -1
    return shape


def one_rounding(acc, sv, bv):
    """What a fused multiply-add would give (the exact acc * s + b rounded once; computed in
    float64, where the product is exact, and rounded twice: the same but for rare near-ties)."""
    return (acc.double() * sv.double() + bv.double()).float()


@pytest.mark.parametrize("shape,dim", [((6, 5), 0), ((4, 6, 7), 1), ((3, 5, 6), -1), ((2, 6, 3, 3), 1),
                                       ((1000, 768), -1), ((2, 3, 6, 4), -2), ((2, 4, 5, 1001), 3),
                                       ((2, 16, 9, 9), 1)])
def test_dequantize_with_bias_equals_torch(device, shape, dim):
    # the layers' old expression, acc.float() * s + bias (two kernels, two roundings), bit for bit
    acc, s, b = _cancelling(shape, dim, device, seed=70 + len(shape))
    sv, bv = view_along(s, acc, dim), view_along(b, acc, dim)
    want = acc.float() * sv + bv
    got = DEQUANTIZE(acc, s, dim, b)
    assert got.dtype == torch.float32 and got.device == acc.device
    assert same_bits(got, want)
    # the inputs are ones where a fused multiply-add would be wrong
    assert (one_rounding(acc, sv, bv) != want).float().mean() > 0.25
    # one scale with a bias per channel (the scale repeated: same bits)
    s1 = s[:1].clone()
    assert same_bits(DEQUANTIZE(acc, s1, dim, b), acc.float() * s1 + bv)
    # a bias that is a view (stride 2)
    b2 = torch.stack([b, -b], 1)[:, 0]
    assert not b2.is_contiguous()
    assert same_bits(DEQUANTIZE(acc, s, dim, b2), want)
    # None is no bias
    assert same_bits(DEQUANTIZE(acc, s, dim, None), acc.float() * sv)


def test_dequantize_with_bias_one_channel_and_special_values(device):
    # one channel along dim (size 1): scale and bias of one element each
    acc, s, b = _cancelling((1, 300), 0, device, seed=80)
    assert same_bits(DEQUANTIZE(acc, s, 0, b), acc.float() * s + b)
    # explicit: 3 * 0.1 rounds up, so p + (-p) is +0 while one rounding leaves the product's error
    p = torch.tensor(3.0) * torch.tensor(0.1)
    acc = torch.tensor([3], dtype=torch.int32, device=device)
    got = DEQUANTIZE(acc, torch.tensor([0.1], device=device), 0, -p.reshape(1).to(device))
    assert got.item() == 0.0 and not got.signbit().item()
    assert one_rounding(acc.cpu(), torch.tensor(0.1), -p).item() != 0.0
    # signed zeros, infinities and NaN as torch adds them
    acc = torch.tensor([[0, 0, 5, 2**30, 7]], dtype=torch.int32, device=device)
    s = torch.tensor([-1.0, -1.0, 2.0, 1e30, 1e30], device=device)
    b = torch.tensor([-0.0, 0.0, float("nan"), -INF, -INF], device=device)
    got, want = DEQUANTIZE(acc, s, 1, b), acc.float() * s + b
    assert same_bits(got, want)
    assert got[0, 0].signbit() and not got[0, 1].signbit() and got[0, 2].isnan() and got[0, 3].isnan()
    assert got[0, 4].item() == -INF
    # empty and 0-dim
    assert DEQUANTIZE(torch.empty(0, 8, dtype=torch.int32, device=device), s[:1], 1,
                      torch.zeros(8, device=device)).shape == (0, 8)
    assert DEQUANTIZE(torch.empty(3, 0, dtype=torch.int32, device=device), s[:1], 1,
                      torch.zeros(0, device=device)).shape == (3, 0)
    a0 = torch.tensor(-7, dtype=torch.int32, device=device)
    half, quarter = torch.tensor([0.5], device=device), torch.tensor([0.25], device=device)
    assert DEQUANTIZE(a0, half, 0, quarter).item() == -3.25


# --- argument errors -------------------------------------------------------------------------------

def test_argument_errors_name_the_op():
    x, s = torch.zeros(4, 3), torch.ones(3)
    with raises_exactly(TypeError, "axx.quantize: x must be torch.float32, got torch.float64"):
        QUANTIZE(x.double(), s, 1, -QMAX, QMAX)
    with raises_exactly(TypeError, "axx.quantize: x must be torch.float32, got torch.int32"):
        QUANTIZE(x.int(), s, 1, -QMAX, QMAX)
    with raises_exactly(TypeError, "axx.quantize: scale must be torch.float32, got torch.float64"):
        QUANTIZE(x, s.double(), 1, -QMAX, QMAX)
    with raises_exactly(ValueError, "axx.quantize: scale must hold 1 element or x.size(0) = 4 elements "
                                    "(one per channel), got 3 (shape [3])"):
        QUANTIZE(x, s, 0, -QMAX, QMAX)
    with raises_exactly(ValueError, "axx.quantize: dim 2 is out of range for x of shape [4, 3] "
                                    "(expected -2 <= dim < 2)"):
        QUANTIZE(x, s, 2, -QMAX, QMAX)
    with raises_exactly(ValueError, "axx.quantize: qmin and qmax must satisfy -128 <= qmin <= qmax <= 127, "
                                    "got qmin = -129, qmax = 127"):
        QUANTIZE(x, s, 1, -129, QMAX)
    with raises_exactly(ValueError, "axx.quantize: qmin and qmax must satisfy -128 <= qmin <= qmax <= 127, "
                                    "got qmin = 5, qmax = 4"):
        QUANTIZE(x, s, 1, 5, 4)
    with raises_exactly(TypeError, "axx.dequantize: acc must be torch.int32, got torch.float32"):
        DEQUANTIZE(x, s, 1)
    with raises_exactly(ValueError, "axx.dequantize: scale must hold 1 element or acc.size(-2) = 4 elements "
                                    "(one per channel), got 3 (shape [3])"):
        DEQUANTIZE(x.int(), s, -2)
    # a scale on another device: on a CPU-only machine the meta device stands in for it
    with raises_exactly(ValueError, "axx.quantize: x and scale must be on the same device, got cpu and meta"):
        QUANTIZE(x, s.to("meta"), 1, -QMAX, QMAX)
    with raises_exactly(ValueError, "axx.dequantize: acc and scale must be on the same device, got cpu and "
                                    "meta"):
        DEQUANTIZE(x.int(), s.to("meta"), 1)
    with raises_exactly(TypeError, "axx.dequantize: bias must be torch.float32, got torch.float16"):
        DEQUANTIZE(x.int(), s, 1, s.half())
    with raises_exactly(ValueError, "axx.dequantize: bias must be 1-D with acc.size(0) = 4 elements "
                                    "(one per channel), got shape [3]"):
        DEQUANTIZE(x.int(), s[:1], 0, s)
    with raises_exactly(ValueError, "axx.dequantize: bias must be 1-D with acc.size(-1) = 3 elements "
                                    "(one per channel), got shape [1, 3]"):
        DEQUANTIZE(x.int(), s, -1, s[None])
    # one element is a bias only where the channel count is 1
    with raises_exactly(ValueError, "axx.dequantize: bias must be 1-D with acc.size(1) = 3 elements "
                                    "(one per channel), got shape [1]"):
        DEQUANTIZE(x.int(), s[:1], 1, s[:1])
    with raises_exactly(ValueError, "axx.dequantize: bias must be 1-D with acc.size(0) = 1 elements "
                                    "(one per channel), got shape []"):
        DEQUANTIZE(torch.tensor(1, dtype=torch.int32), s[:1], 0, s[0])
    with raises_exactly(ValueError, "axx.dequantize: acc and bias must be on the same device, got cpu and "
                                    "meta"):
        DEQUANTIZE(x.int(), s, 1, s.to("meta"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_device_mismatch_on_cuda():
    x, s = torch.zeros(4, 3), torch.ones(3)
    with raises_exactly(ValueError, "axx.quantize: x and scale must be on the same device, got cuda:0 and cpu"):
        QUANTIZE(x.cuda(), s, 1, -QMAX, QMAX)
    with raises_exactly(ValueError, "axx.dequantize: acc and scale must be on the same device, got cpu and "
                                    "cuda:0"):
        DEQUANTIZE(x.int(), s.cuda(), 1)
    with raises_exactly(ValueError, "axx.dequantize: acc and bias must be on the same device, got cuda:0 and "
                                    "cpu"):
        DEQUANTIZE(x.int().cuda(), s.cuda(), 1, s)


# --- registration: Meta shapes, TorchScript, torch.compile -----------------------------------------

def test_meta_torchscript_and_compile():
    x = torch.empty(2, 5, 7, device="meta")
    q = QUANTIZE(x, torch.empty(5, device="meta"), 1, -QMAX, QMAX)
    assert q.shape == (2, 5, 7) and q.dtype == torch.int8 and q.device.type == "meta"
    y = DEQUANTIZE(torch.empty(3, 4, dtype=torch.int32, device="meta"), torch.empty(1, device="meta"), 0)
    assert y.shape == (3, 4) and y.dtype == torch.float32
    y = DEQUANTIZE(torch.empty(3, 4, dtype=torch.int32, device="meta"), torch.empty(1, device="meta"), 0,
                   torch.empty(3, device="meta"))
    assert y.shape == (3, 4) and y.dtype == torch.float32 and y.device.type == "meta"
    with pytest.raises(ValueError, match="axx.quantize: scale must hold"):
        QUANTIZE(x, torch.empty(4, device="meta"), 1, -QMAX, QMAX)
    with pytest.raises(ValueError, match="axx.dequantize: bias must be 1-D with acc.size"):
        DEQUANTIZE(torch.empty(3, 4, dtype=torch.int32, device="meta"), torch.empty(1, device="meta"), 0,
                   torch.empty(4, device="meta"))

    @torch.jit.script
    def scripted(x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        return torch.ops.axx.dequantize(torch.ops.axx.quantize(x, s, -1, -127, 127).int(), s, -1)

    @torch.jit.script
    def scripted_bias(x: torch.Tensor, s: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.ops.axx.dequantize(torch.ops.axx.quantize(x, s, -1, -127, 127).int(), s, -1, b)

    def f(x, s):
        return DEQUANTIZE(QUANTIZE(x, s, -1, -QMAX, QMAX).int(), s, -1) + 1

    def fb(x, s, b):
        return DEQUANTIZE(QUANTIZE(x, s, -1, -QMAX, QMAX).int(), s, -1, b) + 1

    xr, s = randn((3, 8), 20, "cpu", 0.3), channel_scales(8, 21, "cpu")
    b = randn((8,), 22, "cpu")
    want = torch_dequantize(torch_quantize(xr, s).int(), s)
    want_b = torch_quantize(xr, s).int().float() * s + b
    assert torch.equal(scripted(xr, s), want)
    assert torch.equal(scripted_bias(xr, s, b), want_b)
    assert torch.equal(torch.compile(f, backend="aot_eager", fullgraph=True)(xr, s), want + 1)
    assert torch.equal(torch.compile(fb, backend="aot_eager", fullgraph=True)(xr, s, b), want_b + 1)


@pytest.mark.parametrize("bias", [True, False])
def test_layers_compile_with_fused_bias(bias):
    # the layers' inference forward, bias included, traced through the ops' Meta functions
    lin = ApproxLinear(16, 6, bias=bias, multiplier=RANDOM)
    conv = ApproxConv2d(3, 4, 3, padding=1, bias=bias, multiplier=RANDOM)
    x, xc = randn((5, 16), 23, "cpu"), randn((2, 3, 5, 5), 24, "cpu")
    with torch.no_grad():
        for layer, inp in ((lin, x), (conv, xc)):
            want = layer(inp)
            got = torch.compile(layer, backend="aot_eager", fullgraph=True)(inp)
            assert same_bits(got, want)


# --- the layers --------------------------------------------------------------------------------

def test_fused_only_for_float32_on_one_device():
    s32 = torch.tensor(0.1)
    assert _product._fused(torch.float32, torch.device("cpu"), s32)
    assert not _product._fused(torch.float64, torch.device("cpu"), s32)
    assert not _product._fused(torch.bfloat16, torch.device("cpu"), s32)
    assert not _product._fused(torch.float32, torch.device("cpu"), s32.double())
    assert not _product._fused(torch.float32, torch.device("cuda", 0), s32)  # a CPU scale with CUDA data


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16])
def test_quantize_falls_back_to_torch_for_other_dtypes(dtype):
    x = randn((6, 40), 30, "cpu", 2.0).to(dtype)
    s = channel_scales(6, 31, "cpu").to(dtype)[:, None]
    codes, fq, keep = _product._quantize(x, s, True, need_fq=True, need_keep=True)
    t = x / s
    q = torch.round(t).clamp(-QMAX, QMAX)
    assert torch.equal(codes, q.to(torch.int8))
    assert fq.dtype == dtype and torch.equal(fq, q * s)
    assert torch.equal(keep, t.abs() < QMAX + 0.5)


@pytest.mark.parametrize("narrow", [True, False])
def test_quantize_matches_the_old_expression(device, narrow):
    # _quantize's three results on float32 (the op) against the expressions it ran before
    x = randn((12, 50), 40, device, 3.0)
    x[0, :4] = torch.tensor([INF, -INF, 1e9, -1e9])
    qmin = -QMAX if narrow else -QMAX - 1
    for s, dim in ((torch.tensor(0.017, device=device), 0),
                   (channel_scales(12, 41, device)[:, None], 0),
                   (channel_scales(50, 42, device), 1)):
        t = x / s
        q = torch.round(t).clamp_(qmin, QMAX)
        assert (q == 0).any() and q[q == 0].signbit().any()     # -0 among the codes' floats
        for need_fq, need_keep in ((True, True), (True, False), (False, True), (False, False)):
            codes, fq, keep = _product._quantize(x, s, narrow, need_fq, need_keep, dim=dim)
            assert torch.equal(codes, q.to(torch.int8))
            assert same_bits(fq, q.mul(s)) if need_fq else fq is None
            assert torch.equal(keep, t.abs() < QMAX + 0.5) if need_keep else keep is None


def _old_forward(a, b, sa, sb, kind, m, narrow=True):
    """The forward before the ops: 4 torch passes per quantizer, 2 for the dequantization."""
    qmin = -QMAX if narrow else -QMAX - 1
    sbv = kind.b_scale_view(sb, b)
    qa = torch.round(a / sa).clamp_(qmin, QMAX).to(torch.int8)
    qb = torch.round(b / sbv).clamp_(qmin, QMAX).to(torch.int8)
    acc = kind.lut(qa, qb, _product.table_for(m).ops_multiplier)
    return acc.to(a.dtype).mul_((sa * kind.out_scale_view(sb, acc)).to(a.dtype))


@pytest.fixture
def bias_fused(monkeypatch):
    """Fails a float32 inference forward that adds the bias after the product instead of in the
    dequantization's pass (the fused op)."""
    def unfused(*args):
        raise AssertionError("the bias was added after the product")
    monkeypatch.setattr(_product, "_add_bias", unfused)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("per_channel", [True, False])
@pytest.mark.parametrize("calibrated", [True, False])
def test_linear_output_unchanged(device, per_channel, calibrated, bias, bias_fused):
    layer = ApproxLinear(48, 30, bias=bias, multiplier=RANDOM, per_channel=per_channel).to(device)
    x = randn((2, 7, 48), 50, device)
    if calibrated:
        layer.input_quantizer.set_amax(1.5)                 # inputs beyond 1.5 clip
    with torch.no_grad():
        y = layer(x)
        y1 = layer(x[0, 0])                                 # unbatched
        sa = layer.input_quantizer.scale_for(x)
        sw = weight_scale(layer.weight, per_channel)
        want = _old_forward(x, layer.weight, sa, sw, _product.LinearKind(), RANDOM)
        want = want + layer.bias if bias else want
        sa1 = layer.input_quantizer.scale_for(x[0, 0])
        want1 = _old_forward(x[0, :1], layer.weight, sa1, sw, _product.LinearKind(), RANDOM)
        want1 = (want1 + layer.bias if bias else want1)[0]
    assert same_bits(y, want)
    assert same_bits(y1, want1)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("per_channel", [True, False])
@pytest.mark.parametrize("groups", [1, 2])
def test_conv2d_output_unchanged(device, per_channel, groups, bias, bias_fused):
    layer = ApproxConv2d(4, 6, 3, padding=1, stride=2, groups=groups, bias=bias, multiplier=RANDOM,
                         per_channel=per_channel).to(device)
    x = randn((2, 4, 9, 8), 51, device)
    with torch.no_grad():
        y = layer(x)
        sa = layer.input_quantizer.scale_for(x)
        sw = weight_scale(layer.weight, per_channel)
        kind = _product.Conv2dKind(layer.stride, layer.padding, layer.dilation, layer.groups)
        want = _old_forward(x, layer.weight, sa, sw, kind, RANDOM)
        want = want + layer.bias.reshape(1, -1, 1, 1) if bias else want
    assert same_bits(y, want)


def test_layers_with_other_dtypes_add_the_bias_after(device):
    # float64 (and a float32 layer's bias of another dtype) take the torch expressions, as before
    lin = ApproxLinear(12, 5, multiplier=RANDOM).to(device).double()
    x = randn((3, 12), 54, device).double()
    with torch.no_grad():
        sa = lin.input_quantizer.scale_for(x)
        sw = weight_scale(lin.weight, True)
        want = _old_forward(x, lin.weight, sa, sw, _product.LinearKind(), RANDOM) + lin.bias
        assert same_bits(lin(x).view(torch.float32), want.view(torch.float32))
        acc = torch.randint(-1000, 1000, (3, 5), dtype=torch.int32, device=device)
        s = torch.tensor(0.01, device=device)
        b64 = randn((5,), 55, device).double()
        y = _product._dequantize(acc, s, torch.float32, -1, b64)
        assert y.dtype == torch.float64 and torch.equal(y, acc.float() * s + b64)


def test_layers_bias_from_the_fused_op(device):
    # float32 inference: the layer's output is the op's, bias included (one pass)
    layer = ApproxLinear(20, 7, multiplier=RANDOM).to(device)
    x = randn((4, 20), 56, device)
    with torch.no_grad():
        sa = layer.input_quantizer.scale_for(x)
        sw = weight_scale(layer.weight, True)
        qa = torch_quantize(x, sa)
        qw = torch_quantize(layer.weight, sw[:, None])
        acc = axx.ops.lut_matmul(qa, qw.t().contiguous(), _product.table_for(RANDOM).ops_multiplier)
        want = DEQUANTIZE(acc, (sa * sw).reshape(-1), -1, layer.bias)
        assert same_bits(layer(x), want)


def test_matmul_output_unchanged(device):
    mm = ApproxMatmul(RANDOM, narrow_range=False).to(device)
    a, b = randn((2, 3, 5, 16), 52, device), randn((3, 16, 9), 53, device, 4.0)
    mm.other_quantizer.set_amax(6.0)
    with torch.no_grad():
        y = mm(a, b)
        want = _old_forward(a, b, mm.input_quantizer.scale_for(a), mm.other_quantizer.scale_for(b),
                            _product.MatmulKind(), RANDOM, narrow=False)
    assert same_bits(y, want)


@pytest.mark.parametrize("grad", ["ste", "lut"])
def test_training_bias_gradients_unchanged(device, grad):
    # with autograd the bias is added after the product, as the layers did: outputs and the
    # gradients of input, weight and bias equal those of approx_product(...) + bias; also when
    # only the bias trains (input and weight need no gradient)
    kinds = {"linear": lambda l: _product.LinearKind(),
             "conv": lambda l: _product.Conv2dKind(l.stride, l.padding, l.dilation, l.groups)}
    cases = (("linear", lambda: ApproxLinear(24, 10, multiplier=RANDOM, grad=grad), (4, 24)),
             ("conv", lambda: ApproxConv2d(3, 5, 3, padding=1, multiplier=RANDOM, grad=grad), (2, 3, 6, 6)))
    for name, make, shape in cases:
        for only_bias in (False, True):
            outs = []
            for old in (False, True):
                torch.manual_seed(0)
                layer = make().to(device)
                layer.weight.requires_grad_(not only_bias)
                x = randn(shape, 62, device, 2.0).requires_grad_(not only_bias)
                if old:
                    sa = layer.input_quantizer.scale_for(x)
                    sw = weight_scale(layer.weight, True)
                    y = _product.approx_product(x, layer.weight, sa, sw, kinds[name](layer), layer._table, grad)
                    y = y + (layer.bias if name == "linear" else layer.bias.reshape(1, -1, 1, 1))
                else:
                    y = layer(x)
                y.pow(2).sum().backward()
                outs.append([y.detach(), layer.bias.grad] + ([] if only_bias else [x.grad, layer.weight.grad]))
            for got, want in zip(*outs):
                assert same_bits(got, want), (name, only_bias)


@pytest.mark.parametrize("grad", ["ste", "lut"])
def test_training_forward_and_gradients_unchanged(device, grad, monkeypatch):
    # with autograd: the op's codes, fake-quantized operands and masks give the outputs and
    # gradients of the torch expressions (run by turning the op off)
    def run(fused):
        torch.manual_seed(0)
        layers = [ApproxLinear(24, 10, multiplier=EXACT, grad=grad),
                  ApproxConv2d(3, 5, 3, padding=1, multiplier=RANDOM, grad=grad)]
        inputs = [randn((4, 24), 60, device, 2.0), randn((2, 3, 6, 6), 61, device)]
        out = []
        with monkeypatch.context() as mp:
            if not fused:
                mp.setattr(_product, "_fused", lambda *args: False)
            for layer, x in zip(layers, inputs):
                layer = layer.to(device)
                layer.input_quantizer.set_amax(float(x.abs().max()) * 0.8)   # some inputs clip
                x = x.requires_grad_()
                y = layer(x)
                y.pow(2).sum().backward()
                out += [y.detach(), x.grad, layer.weight.grad, layer.bias.grad]
        return out

    for got, want in zip(run(True), run(False)):
        assert same_bits(got, want)
