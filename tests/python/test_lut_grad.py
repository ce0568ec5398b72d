"""torch.ops.axx.lut_grad_matmul (the table-gradient GEMM of grad="lut") on CPU and CUDA: exact
against an int64 reference where every float sum is exact, close to the torch gathers it
replaced for float gradients, and the layers' grad="lut" gradients unchanged."""
from __future__ import annotations

import pytest
import torch

import axx
from axx.nn import ApproxConv2d, ApproxLinear, ApproxMatmul
from axx.nn import _product

OP = torch.ops.axx.lut_grad_matmul


def _table(lo, hi, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(lo, hi, (256, 256), generator=g, dtype=torch.int32)


def _reference(qa, qb, g, diff, side):
    """int64: side a sum_n g[m,n] diff[a[m,k]][b[k,n]], side b sum_m ..., by patterns."""
    pa, pb = qa.long() & 255, qb.long() & 255
    d = diff.long()[pa.unsqueeze(-1), pb.unsqueeze(-3)]          # (..., M, K, N)
    prod = d * g.long().unsqueeze(-2)
    return prod.sum(-1) if side == "a" else prod.sum(-3)


def _ints(shape, lo, hi, seed, dtype=torch.int8):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(lo, hi, shape, generator=g).to(dtype)


# (a batch, b batch, g batch, M, K, N): odd sizes pad every tile; sides <= 64 and > 64 pick the
# CUDA kernel's different tilings; a batch of 1 broadcasts; sums of >= 512 terms over few tiles
# run split on CUDA
SHAPES = [
    ((), (), (), 5, 3, 7),
    ((2,), (2,), (2,), 130, 70, 33),
    ((3,), (1,), (3,), 9, 200, 65),
    ((1,), (2,), (2,), 67, 129, 40),
    ((), (), (), 1, 1, 300),
    ((), (), (), 600, 20, 30),      # few output tiles, long sums: CUDA splits the sums (side b)
    ((2,), (2,), (2,), 5, 3, 1100),  # (side a)
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s[3:])) + f"-b{s[2]}")
@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("wide", [False, True], ids=["int16", "int32"])
def test_exact_with_integer_gradients(device, shape, side, wide):
    # entries beyond int16 run the CUDA kernel's global-memory table; small integer G keeps every
    # float partial sum exact (|sum| < 2^24), so the results must equal int64 bit for bit
    ab, bb, gb, M, K, N = shape
    diff = _table(-70000, 70000, 1) if wide else _table(-3000, 3000, 1)
    g_hi = 2 if wide else 9
    qa = _ints((*ab, M, K), -128, 128, 2)
    qb = _ints((*bb, K, N), -128, 128, 3)
    g = _ints((*gb, M, N), -g_hi, g_hi + 1, 4, torch.float32)
    out = OP(qa.to(device), qb.to(device), g.to(device), diff.to(device), side, 0.5).cpu()
    ref = _reference(qa, qb, g, diff, side)
    assert out.dtype == torch.float32 and out.shape == ref.shape
    assert ref.abs().max() < 2**24
    assert torch.equal(out.double() * 2, ref.double())


# AXX_CUDA_GRAD_TILING: 0..3 the tilings (8x8, 8x4, 4x8, 4x4 outputs per thread), 4..7 the same
# with the earlier lookup addressing; every variant must give the chooser's exact results
TILINGS = [str(v) for v in range(8)] + ["legacy"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="the override is read by the CUDA kernel")
@pytest.mark.parametrize("tiling", TILINGS)
@pytest.mark.parametrize("wide", [False, True], ids=["int16", "int32"])
def test_every_forced_tiling_exact(monkeypatch, tiling, wide):
    monkeypatch.setenv("AXX_CUDA_GRAD_TILING", tiling)
    diff = _table(-70000, 70000, 1) if wide else _table(-3000, 3000, 1)
    g_hi = 2 if wide else 9
    for ab, bb, gb, M, K, N in [((2,), (2,), (2,), 130, 70, 33), ((), (), (), 600, 20, 30),
                                ((3,), (1,), (3,), 9, 200, 65)]:
        qa = _ints((*ab, M, K), -128, 128, 2)
        qb = _ints((*bb, K, N), -128, 128, 3)
        g = _ints((*gb, M, N), -g_hi, g_hi + 1, 4, torch.float32)
        for side in "ab":
            out = OP(qa.cuda(), qb.cuda(), g.cuda(), diff.cuda(), side, 0.5).cpu()
            assert torch.equal(out.double() * 2, _reference(qa, qb, g, diff, side).double()), (side, M, K, N)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="the override is read by the CUDA kernel")
def test_bad_forced_tiling(monkeypatch):
    monkeypatch.setenv("AXX_CUDA_GRAD_TILING", "8")
    a = torch.zeros(5, 3, dtype=torch.int8, device="cuda")
    b = torch.zeros(3, 4, dtype=torch.int8, device="cuda")
    with pytest.raises(Exception, match="AXX_CUDA_GRAD_TILING must be 0..7 or 'legacy'"):
        OP(a, b, torch.zeros(5, 4, device="cuda"), torch.zeros(256, 256, dtype=torch.int32, device="cuda"), "a")


def test_uint8_patterns(device):
    diff = _table(-500, 500, 5)
    qa = _ints((4, 6), 0, 256, 6, torch.uint8)
    qb = _ints((6, 3), 0, 256, 7, torch.uint8)
    g = _ints((4, 3), -5, 6, 8, torch.float32)
    for side in "ab":
        out = OP(qa.to(device), qb.to(device), g.to(device), diff.to(device), side).cpu()
        assert torch.equal(out.double(), _reference(qa, qb, g, diff, side).double())


def _gather_reference(qa, qb, g_a, g_b, da, db):
    """The torch gathers grad="lut" ran before the kernels (value-indexed float tables)."""
    ia, ib = qa.long() + 128, qb.long() + 128
    idx = ia[..., :, :, None] * 256 + ib[..., None, :, :]           # (B, M, K, N)
    ga = (da.flatten()[idx] * g_a[..., :, None, :]).sum(-1)
    gb = (db.flatten()[idx] * g_b[..., :, None, :]).sum(-3)
    return ga, gb


# full rank (63), rank 2 in sign-magnitude mode, rank 9, the exact table (rank 0)
MULTIPLIERS = ["mul8s_mitchell", "mul8u_drum4", "mul8s_trunc8", "mul8s_exact"]


@pytest.fixture(params=["kernel", "factors"])
def grad_path(request, monkeypatch):
    """Runs the table gradients through the lookup kernels or (tables with a form) the GEMMs on
    the factors of the difference tables."""
    monkeypatch.setattr(_product, "_lowrank_grads_apply", lambda table, device: request.param == "factors")
    return request.param


@pytest.mark.parametrize("multiplier", MULTIPLIERS)
def test_float_gradients_match_the_gathers(device, multiplier, grad_path):
    table = _product.table_for(axx.Multiplier.builtin(multiplier))
    if grad_path == "factors" and table.difference_factors("cpu") is None:
        pytest.skip("no low-rank form")
    da, db = table.derivatives("cpu")
    qa = _ints((3, 70, 90), -128, 128, 9)
    qb = _ints((3, 90, 50), -128, 128, 10)
    gen = torch.Generator().manual_seed(11)
    g_a, g_b = torch.randn(3, 70, 50, generator=gen), torch.randn(3, 70, 50, generator=gen)
    ref_a, ref_b = _gather_reference(qa, qb, g_a, g_b, da, db)
    ga, gb = _product._gather_grads(qa.to(device), qb.to(device), g_a.to(device), g_b.to(device),
                                    table, True, True)
    # float32 sums in another order: differences of a few ulps of the sums' magnitude
    for got, ref in ((ga, ref_a), (gb, ref_b)):
        torch.testing.assert_close(got.cpu(), ref, rtol=1e-5, atol=1e-6 * float(ref.abs().max()))


def _layer_grads(make, x_shape, device, others=()):
    torch.manual_seed(0)
    layer = make().to(device)
    inputs = [torch.randn(*x_shape, device=device).requires_grad_()]
    inputs += [torch.randn(*s, device=device).requires_grad_() for s in others]
    out = layer(*inputs)
    out.backward(torch.randn(out.shape, generator=torch.Generator().manual_seed(1)).to(device))
    return [t.grad for t in inputs] + [p.grad for p in layer.parameters() if p.grad is not None]


@pytest.mark.parametrize("multiplier", MULTIPLIERS)
def test_layer_gradients_unchanged(device, multiplier, grad_path, monkeypatch):
    # the kernels against the torch gathers they replaced (forced through the int32-overflow
    # fallback), for every kind of product
    m = axx.Multiplier.builtin(multiplier)
    if grad_path == "factors" and _product.table_for(m).difference_factors("cpu") is None:
        pytest.skip("no low-rank form")
    calls = []
    lowrank = _product._lowrank_grads
    monkeypatch.setattr(_product, "_lowrank_grads", lambda *a: calls.append(1) or lowrank(*a))
    cases = [
        (lambda: ApproxLinear(40, 24, multiplier=m, grad="lut"), (2, 7, 40), ()),
        (lambda: ApproxConv2d(4, 6, 3, padding=1, stride=2, groups=2, multiplier=m, grad="lut"),
         (2, 4, 9, 9), ()),
        (lambda: ApproxMatmul(m, grad="lut"), (2, 3, 11, 20), ((20, 13),)),
    ]
    for make, x_shape, others in cases:
        new = _layer_grads(make, x_shape, device, others)
        with monkeypatch.context() as mp:
            mp.setattr(_product.Table, "difference_tables", lambda self, device: None)
            mp.setattr(_product.Table, "difference_factors", lambda self, device: None)
            old = _layer_grads(make, x_shape, device, others)
        assert len(new) == len(old) >= 2
        assert bool(calls) == (grad_path == "factors")       # the path under test ran
        calls.clear()
        for n, o in zip(new, old):
            torch.testing.assert_close(n, o, rtol=1e-5, atol=1e-6 * float(o.abs().max()))


@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("shape", [(3, 40, 7, 9), (2, 5, 30, 4)], ids=["small-out", "large-out"])
def test_scaled_grads_equal_scaled_gradients(device, per_channel, shape):
    # _scaled_grads puts a scalar scale on the smaller of the output gradient and each side's
    # result: the same gradients as scaling the output gradient first, for both placements
    B, M, K, N = shape
    table = _product.table_for(axx.Multiplier.builtin("mul8s_mitchell"))
    qa = _ints((B, M, K), -128, 128, 15).to(device)
    qb = _ints((B, K, N), -128, 128, 16).to(device)
    g = torch.randn(B, M, N, generator=torch.Generator().manual_seed(17)).to(device)
    sa = torch.tensor(0.37, device=device)
    sb = (torch.rand(N, generator=torch.Generator().manual_seed(18)) + 0.5).to(device) if per_channel \
        else torch.tensor(1.7, device=device)
    for need_a, need_b in ((True, True), (True, False), (False, True)):
        ga, gb = _product._scaled_grads(qa, qb, g, sa, sb, table, need_a, need_b)
        ra, rb = _product._gather_grads(qa, qb, g * sb, g * sa, table, need_a, need_b)
        assert (ga is None) == (not need_a) and (gb is None) == (not need_b)
        for got, ref in ((ga, ra), (gb, rb)):
            if ref is not None:
                torch.testing.assert_close(got, ref, rtol=1e-5, atol=1e-6 * float(ref.abs().max()))


def test_difference_tables_are_doubled_derivatives():
    table = _product.table_for(axx.Multiplier.builtin("mul8s_mitchell"))
    da, db = table.derivatives("cpu")
    d2a, d2b = table.difference_tables("cpu")
    back = torch.arange(256) ^ 128           # value index of each pattern
    assert d2a.dtype == torch.int32
    assert torch.equal(d2a.double() / 2, da.double()[back][:, back])
    assert torch.equal(d2b.double() / 2, db.double()[back][:, back])


@pytest.mark.parametrize("multiplier", ["mul8u_drum4", "mul8s_trunc8", "mul8s_exact"])
def test_factors_are_exact(multiplier):
    table = _product.table_for(axx.Multiplier.builtin(multiplier))
    (la, ra), (lb, rb) = table.difference_factors("cpu")
    d2a, d2b = table.difference_tables("cpu")
    assert la.shape[0] == table.ops_multiplier.rank + 1
    assert torch.equal(la.double().t() @ ra.double(), d2a.double())
    assert torch.equal(lb.double().t() @ rb.double(), d2b.double())


@pytest.mark.parametrize("multiplier", ["mul8u_drum4", "mul8s_trunc8"])
def test_factor_gradients_exact_with_integer_gradients(device, multiplier):
    # the GEMM path, like the kernels, is exact where every float sum is
    table = _product.table_for(axx.Multiplier.builtin(multiplier))
    d2a, d2b = table.difference_tables("cpu")
    qa = _ints((2, 33, 70), -127, 128, 12)
    qb = _ints((2, 70, 40), -127, 128, 13)
    g = _ints((2, 33, 40), -3, 4, 14, torch.float32)
    factors = table.difference_factors(device)
    ga, gb = _product._lowrank_grads(qa.to(device), qb.to(device), g.to(device), g.to(device), factors, True, True)
    assert torch.equal(ga.cpu().double() * 2, _reference(qa, qb, g, d2a, "a").double())
    assert torch.equal(gb.cpu().double() * 2, _reference(qa, qb, g, d2b, "b").double())


def test_meta_shapes():
    a = torch.empty(2, 5, 3, dtype=torch.int8, device="meta")
    b = torch.empty(2, 3, 4, dtype=torch.int8, device="meta")
    g = torch.empty(2, 5, 4, device="meta")
    d = torch.empty(256, 256, dtype=torch.int32, device="meta")
    assert OP(a, b, g, d, "a").shape == (2, 5, 3)
    assert OP(a, b, g, d, "b").shape == (2, 3, 4)


def test_bad_arguments():
    a = torch.zeros(5, 3, dtype=torch.int8)
    b = torch.zeros(3, 4, dtype=torch.int8)
    g = torch.zeros(5, 4)
    d = torch.zeros(256, 256, dtype=torch.int32)
    with pytest.raises(ValueError, match="side must be 'a' or 'b', got 'c'"):
        OP(a, b, g, d, "c")
    with pytest.raises(TypeError, match="b must have a's dtype torch.int8, got torch.uint8"):
        OP(a, b.to(torch.uint8), g, d, "a")
    with pytest.raises(TypeError, match="g must be torch.float32, got torch.float64"):
        OP(a, b, g.double(), d, "a")
    with pytest.raises(ValueError, match="diff must be a 256x256 torch.int32 table"):
        OP(a, b, g, d[:4], "a")
    with pytest.raises(ValueError, match="shapes do not match"):
        OP(a, b, g[:, :3], d, "a")
