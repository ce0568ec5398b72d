"""Approximate layers against a slow pure-torch reference (int64 gather-and-sum over the table)."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import axx
from axx.nn import ApproxConv2d, ApproxLinear, ApproxMatmul, ApproxMultiheadAttention
from axx.quant import QMAX, quantize, weight_scale

V = torch.arange(256) - 128            # operand values
IDX = V & 255                          # their bit patterns


def table_from_values(f, signed=True, name="t"):
    """A 256x256 multiplier whose entry for operand values (a, b) is f(a, b)."""
    if signed:
        t = torch.empty(256, 256, dtype=torch.int64)
        t[IDX[:, None], IDX[None, :]] = f(V[:, None], V[None, :])
    else:
        u = torch.arange(256)
        t = f(u[:, None], u[None, :])
    return axx.Multiplier.from_lut(t.to(torch.int32), signed=signed, name=name)


EXACT = table_from_values(lambda a, b: a * b, name="exact")
TRUNC = table_from_values(lambda a, b: (a * b) >> 5 << 5, name="trunc5")
UEXACT = table_from_values(lambda a, b: a * b, signed=False, name="uexact")
_g = torch.Generator().manual_seed(1)
RANDOM = axx.Multiplier.from_lut(torch.randint(-20000, 20000, (256, 256), generator=_g, dtype=torch.int32),
                                 name="random")
URANDOM = axx.Multiplier.from_lut(torch.randint(0, 40000, (256, 256), generator=_g, dtype=torch.int32),
                                  signed=False, name="urandom")


def ref_matmul(qa, qb, m):
    """sum_k lut[a][b] with int64 accumulation; qa (..., M, K), qb (..., K, N) int values."""
    lut = m.lut.long()
    if not m.is_signed:  # sign-magnitude: sgn(a) sgn(b) lut[|a|][|b|]
        sa = torch.where(qa < 0, -1, 1).long()
        sb = torch.where(qb < 0, -1, 1).long()
        prod = lut[qa.long().abs().unsqueeze(-1), qb.long().abs().unsqueeze(-3)]
        prod = prod * sa.unsqueeze(-1) * sb.unsqueeze(-3)
    else:
        prod = lut[(qa.long() & 255).unsqueeze(-1), (qb.long() & 255).unsqueeze(-3)]
    return prod.sum(-2)


def ref_conv2d(qx, qw, m, stride=1, padding=0, dilation=1, groups=1):
    N, C, H, W = qx.shape
    O, Cg, KH, KW = qw.shape
    cols = F.unfold(qx.double(), (KH, KW), dilation, padding, stride).round().long()
    L = cols.shape[-1]
    cols = cols.reshape(N, groups, Cg * KH * KW, L).transpose(2, 3)
    wm = qw.long().reshape(groups, O // groups, -1).transpose(1, 2)
    out = ref_matmul(cols, wm, m)                                   # N, G, L, Og
    ref_shape = F.conv2d(torch.zeros(1, C, H, W), torch.zeros(O, Cg, KH, KW), None, stride, padding,
                         dilation, groups).shape
    return out.permute(0, 1, 3, 2).reshape(N, O, *ref_shape[-2:])


def fq(x, s):
    return quantize(x, s).float() * s


@pytest.fixture
def kernel_out(monkeypatch):
    """The integer results of every lut_matmul / lut_conv2d a layer calls, in call order: the
    layers' products are compared exactly; floats only after (see assert_dequantized)."""
    seen = []

    def spy(fn):
        def wrapped(*args, **kwargs):
            out = fn(*args, **kwargs)
            seen.append(out.detach().clone())
            return out
        return wrapped

    monkeypatch.setattr(axx.ops, "lut_matmul", spy(axx.ops.lut_matmul))
    monkeypatch.setattr(axx.ops, "lut_conv2d", spy(axx.ops.lut_conv2d))
    return seen


def assert_dequantized(y, acc, scale, bias=None):
    """y == acc * scale (+ bias) to within a quarter of one accumulator step: an accumulator off by
    one anywhere (even after the kernel) moves y by a whole step, which a relative tolerance on
    large outputs would let through."""
    expected = acc.double() * scale.double()
    if bias is not None:
        expected = expected + bias.double()
    step = torch.broadcast_to(scale.double(), expected.shape)
    err = (y.double() - expected).abs() / step
    assert err.max().item() < 0.25, f"largest error {err.max().item():.3f} accumulator steps"


@pytest.mark.parametrize("m", [EXACT, TRUNC, RANDOM, UEXACT, URANDOM], ids=lambda m: m.name)
def test_linear_matches_reference(m, kernel_out):
    torch.manual_seed(0)
    layer = ApproxLinear(24, 10, multiplier=m)
    x = torch.randn(3, 5, 24)
    y = layer(x)
    sa = x.abs().max() / QMAX                       # dynamic max before calibration
    sw = weight_scale(layer.weight)
    acc = ref_matmul(quantize(x, sa), quantize(layer.weight, sw[:, None]).t(), m)
    assert len(kernel_out) == 1
    assert torch.equal(kernel_out[0].long(), acc)
    assert y.shape == (3, 5, 10)
    assert_dequantized(y, acc, sa.double() * sw.double(), layer.bias)


@pytest.mark.parametrize("m", [EXACT, UEXACT], ids=lambda m: m.name)
def test_exact_table_equals_fake_quantized_float(m):
    torch.manual_seed(0)
    lin = nn.Linear(32, 16)
    layer = ApproxLinear.from_float(lin, m)
    layer.input_quantizer.set_amax(2.0)             # calibrated: inputs beyond 2 clip
    x = torch.randn(8, 32) * 1.5
    sw = weight_scale(lin.weight)
    expected = F.linear(fq(x, torch.tensor(2.0 / QMAX)), fq(lin.weight, sw[:, None]), lin.bias)
    torch.testing.assert_close(layer(x), expected, rtol=1e-5, atol=1e-5)


def test_per_tensor_weights():
    torch.manual_seed(0)
    lin = nn.Linear(16, 4)
    layer = ApproxLinear.from_float(lin, EXACT, per_channel=False)
    x = torch.randn(5, 16)
    sw = lin.weight.abs().max() / QMAX
    expected = F.linear(fq(x, x.abs().max() / QMAX), fq(lin.weight, sw), lin.bias)
    torch.testing.assert_close(layer(x), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cfg", [
    dict(stride=1, padding=0, dilation=1, groups=1),
    dict(stride=2, padding=1, dilation=1, groups=1),
    dict(stride=1, padding=2, dilation=2, groups=2),
    dict(stride=1, padding=1, dilation=1, groups=6),        # depthwise
])
@pytest.mark.parametrize("m", [EXACT, RANDOM, URANDOM], ids=lambda m: m.name)
def test_conv2d_matches_reference(cfg, m, kernel_out):
    torch.manual_seed(0)
    out = 6 if cfg["groups"] == 6 else 4
    layer = ApproxConv2d(6, out, 3, multiplier=m, **cfg)
    x = torch.randn(2, 6, 9, 8)
    y = layer(x)
    sa = x.abs().max() / QMAX
    sw = weight_scale(layer.weight)
    acc = ref_conv2d(quantize(x, sa), quantize(layer.weight, sw[:, None, None, None]), m, **cfg)
    assert len(kernel_out) == 1
    assert torch.equal(kernel_out[0].long(), acc)
    assert_dequantized(y, acc, sa.double() * sw.double()[None, :, None, None], layer.bias[None, :, None, None])


@pytest.mark.parametrize("padding,mode", [("same", "zeros"), (1, "reflect"), ("valid", "zeros")])
def test_conv2d_padding_modes_exact_table(padding, mode):
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 5, 3, padding=padding, padding_mode=mode)
    layer = ApproxConv2d.from_float(conv, EXACT)
    x = torch.randn(2, 3, 7, 7)
    sw = weight_scale(conv.weight)[:, None, None, None]
    ref = nn.Conv2d(3, 5, 3, padding=padding, padding_mode=mode)
    ref.weight.data = fq(conv.weight, sw)
    ref.bias.data = conv.bias.data
    expected = ref(fq(x, x.abs().max() / QMAX))
    torch.testing.assert_close(layer(x), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shapes", [((4, 6, 5), (5, 7)), ((2, 3, 4, 5), (3, 5, 6)), ((1, 4, 5), (3, 5, 2))])
@pytest.mark.parametrize("m", [EXACT, RANDOM], ids=lambda m: m.name)
def test_matmul_broadcast_matches_reference(shapes, m, kernel_out):
    torch.manual_seed(0)
    a, b = torch.randn(shapes[0]), torch.randn(shapes[1])
    mm = ApproxMatmul(m)
    y = mm(a, b)
    sa, sb = a.abs().max() / QMAX, b.abs().max() / QMAX
    acc = ref_matmul(quantize(a, sa), quantize(b, sb), m)
    assert y.shape == torch.matmul(a, b).shape
    assert len(kernel_out) == 1
    assert torch.equal(kernel_out[0].long().reshape(acc.shape), acc)
    assert_dequantized(y, acc, sa.double() * sb.double())


def test_none_multiplier_is_float():
    torch.manual_seed(0)
    lin = nn.Linear(8, 3)
    x = torch.randn(4, 8)
    assert torch.equal(ApproxLinear.from_float(lin, None)(x), lin(x))
    a, b = torch.randn(2, 3, 4), torch.randn(4, 5)
    assert torch.equal(ApproxMatmul()(a, b), a @ b)


# --- backward --------------------------------------------------------------------------


def test_ste_gradient_is_gradient_of_fake_quantized_product():
    torch.manual_seed(0)
    lin = nn.Linear(12, 5)
    layer = ApproxLinear.from_float(lin, TRUNC)
    layer.input_quantizer.set_amax(1.5)
    x = (torch.randn(7, 12) * 1.2).requires_grad_()
    layer(x).pow(2).sum().backward()
    g_approx = layer(x.detach()).detach() * 2          # dL/dy of the approximate forward

    s = torch.tensor(1.5 / QMAX)
    sw = weight_scale(lin.weight)[:, None]
    xf = fq(x.detach(), s).requires_grad_()
    wf = fq(lin.weight.detach(), sw).requires_grad_()
    F.linear(xf, wf).backward(g_approx)
    inside = (x.detach() / s).abs() < QMAX + 0.5
    torch.testing.assert_close(x.grad, xf.grad * inside, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(layer.weight.grad, wf.grad, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(layer.bias.grad, g_approx.sum(0), rtol=1e-5, atol=1e-5)


def _grads(layer_fn, inputs):
    out = layer_fn(*inputs)
    out.backward(torch.linspace(-1, 1, out.numel()).reshape(out.shape))
    return [t.grad.clone() for t in inputs]


def test_lut_gradient_of_exact_table_equals_ste():
    # d(a*b)/da = b exactly, also by one-sided differences at the ends of the range
    torch.manual_seed(0)
    for make in (lambda g: ApproxLinear(10, 6, multiplier=EXACT, grad=g),
                 lambda g: ApproxConv2d(4, 6, 3, padding=1, stride=2, groups=2, multiplier=EXACT, grad=g)):
        torch.manual_seed(0)
        ste, lut = make("ste"), make("lut")
        lut.load_state_dict(ste.state_dict())
        x = torch.randn(3, 10) if isinstance(ste, ApproxLinear) else torch.randn(2, 4, 6, 6)
        gs = _grads(lambda t: ste(t), [x.clone().requires_grad_()])
        gl = _grads(lambda t: lut(t), [x.clone().requires_grad_()])
        torch.testing.assert_close(gl[0], gs[0], rtol=1e-4, atol=1e-5)
    a, b = torch.randn(2, 3, 5), torch.randn(5, 4)
    gs = _grads(ApproxMatmul(EXACT, grad="ste"), [a.clone().requires_grad_(), b.clone().requires_grad_()])
    gl = _grads(ApproxMatmul(EXACT, grad="lut"), [a.clone().requires_grad_(), b.clone().requires_grad_()])
    for x, y in zip(gl, gs):
        torch.testing.assert_close(x, y, rtol=1e-4, atol=1e-5)


def test_lut_gradient_uses_table_differences():
    # a table that ignores b: lut = 3 * a^2 -> d/da = 6a (central differences of a parabola
    # are exact inside), d/db = 0
    sq = table_from_values(lambda a, b: 3 * a * a + 0 * b, name="sq")
    mm = ApproxMatmul(sq, grad="lut")
    mm.input_quantizer.set_amax(QMAX)       # scale 1: operands are their integer values
    mm.other_quantizer.set_amax(QMAX)
    a = torch.tensor([[[2.0, -5.0, 7.0]]], requires_grad=True)
    b = torch.tensor([[1.0, 4.0], [2.0, 0.0], [-3.0, 1.0]], requires_grad=True)
    y = mm(a, b)
    assert torch.equal(y, torch.tensor([[[3 * (4 + 25 + 49)] * 2]], dtype=torch.float32))
    y.backward(torch.tensor([[[1.0, 2.0]]]))
    assert torch.equal(a.grad, torch.tensor([[[6 * 2 * 3.0, -6 * 5 * 3.0, 6 * 7 * 3.0]]]))
    assert torch.equal(b.grad, torch.zeros(3, 2))


def test_grad_mode_is_checked():
    with pytest.raises(axx.UsageError) as info:
        ApproxLinear(2, 2, multiplier=EXACT, grad="exact")
    assert str(info.value) == "ApproxLinear: unknown grad mode grad='exact'; choose one of ste, lut"


# --- module behaviour --------------------------------------------------------------------


def test_extra_repr_shows_multiplier():
    assert "multiplier=trunc5, grad=ste" in repr(ApproxLinear(3, 2, multiplier=TRUNC))
    assert "multiplier=uexact (sign-magnitude)" in repr(ApproxConv2d(1, 2, 3, multiplier=UEXACT))
    assert "multiplier=None (float)" in repr(ApproxMatmul())


def test_state_dict_round_trip_keeps_scales():
    torch.manual_seed(0)
    a = ApproxLinear(6, 3, multiplier=TRUNC)
    a.input_quantizer.set_amax(0.75)
    sd = a.state_dict()
    assert set(sd) == {"weight", "bias", "input_quantizer.scale"}
    b = ApproxLinear(6, 3, multiplier=TRUNC)
    assert not b.input_quantizer.calibrated
    b.load_state_dict(sd)
    assert b.input_quantizer.calibrated
    x = torch.randn(4, 6) * 3
    assert torch.equal(a(x), b(x))


def test_no_grad_eval_and_to():
    layer = ApproxLinear(4, 2, multiplier=EXACT).eval().to("cpu", torch.float32)
    with torch.no_grad():
        y = layer(torch.randn(3, 4))
    assert y.grad_fn is None and not y.requires_grad
    x = torch.randn(3, 4)
    assert torch.equal(layer.train()(x), layer.eval()(x))


def test_unsupported_table_size():
    small = axx.Multiplier.from_lut(torch.zeros(16, 16, dtype=torch.int32), name="m4")
    with pytest.raises(axx.UsageError) as info:
        ApproxLinear(2, 2, multiplier=small)
    assert str(info.value) == ("ApproxLinear: multiplier 'm4': the approximate layers quantize to int8 and need "
                               "an 8x8-bit signed table, got 4x4 bits")


# --- attention ---------------------------------------------------------------------------


@pytest.mark.parametrize("cfg", [dict(batch_first=True), dict(batch_first=False),
                                 dict(batch_first=True, add_bias_kv=True, add_zero_attn=True),
                                 dict(batch_first=False, kdim=6, vdim=10)])
def test_mha_replacement_in_float_equals_torch(cfg):
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(16, 4, **cfg).eval()
    new = ApproxMultiheadAttention.from_float(mha).eval()
    L, S, B = 5, 7, 3
    shape = (lambda n, e: (B, n, e)) if cfg["batch_first"] else (lambda n, e: (n, B, e))
    q = torch.randn(shape(L, 16))
    k = torch.randn(shape(S, cfg.get("kdim", 16)))
    v = torch.randn(shape(S, cfg.get("vdim", 16)))
    kpm = torch.zeros(B, S, dtype=torch.bool)
    kpm[0, -2:] = True
    mask = torch.rand(L, S) > 0.7
    mask[:, 0] = False
    for kwargs in (dict(), dict(key_padding_mask=kpm, attn_mask=mask), dict(average_attn_weights=False)):
        o1, w1 = mha(q, k, v, **kwargs)
        o2, w2 = new(q, k, v, **kwargs)
        torch.testing.assert_close(o2, o1, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(w2, w1, rtol=1e-5, atol=1e-5)


def test_mha_unbatched_and_causal():
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, batch_first=True).eval()
    new = ApproxMultiheadAttention.from_float(mha)
    x = torch.randn(4, 8)
    torch.testing.assert_close(new(x, x, x)[0], mha(x, x, x)[0], rtol=1e-5, atol=1e-5)
    xb = torch.randn(2, 4, 8)
    causal = nn.Transformer.generate_square_subsequent_mask(4)
    torch.testing.assert_close(new(xb, xb, xb, is_causal=True, need_weights=False)[0],
                               mha(xb, xb, xb, attn_mask=causal, need_weights=False)[0], rtol=1e-5, atol=1e-5)


def test_mha_exact_table_matches_fake_quantized_reference():
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(16, 2, batch_first=True).eval()
    new = axx.approximate(nn.Sequential(ApproxMultiheadAttention.from_float(mha)), EXACT)[0]
    x = torch.randn(2, 5, 16)
    out = new(x, x, x, need_weights=False)[0]

    def lin(layer, t):
        return F.linear(fq(t, t.abs().max() / QMAX), fq(layer.weight, weight_scale(layer.weight)[:, None]), layer.bias)

    def mm(a, b):
        return torch.matmul(fq(a, a.abs().max() / QMAX), fq(b, b.abs().max() / QMAX))

    q = lin(new.q_proj, x).reshape(2, 5, 2, 8).transpose(1, 2)
    k = lin(new.k_proj, x).reshape(2, 5, 2, 8).transpose(1, 2)
    v = lin(new.v_proj, x).reshape(2, 5, 2, 8).transpose(1, 2)
    attn = mm(q * 8 ** -0.5, k.transpose(-2, -1)).softmax(-1)
    expected = lin(new.out_proj, mm(attn, v).transpose(1, 2).reshape(2, 5, 16))
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-5)
    ref = mha(x, x, x, need_weights=False)[0]
    assert (out - ref).abs().max() < 0.05 * ref.abs().max()


def test_transformer_encoder_layer_calls_replacement():
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True).eval()
    x = torch.randn(2, 5, 16)
    with torch.no_grad():
        ref = layer(x)
        axx.approximate(layer, TRUNC)
        out = layer(x)
    assert isinstance(layer.self_attn, ApproxMultiheadAttention)
    assert not torch.equal(out, ref)
    assert (out - ref).abs().max() < 0.2 * ref.abs().max()


@pytest.mark.skipif(not (torch.cuda.is_available() and axx.cuda_available()), reason="needs a GPU and axx's CUDA kernels")
def test_cuda_matches_cpu():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Flatten(), nn.Linear(8 * 6 * 6, 5))
    axx.approximate(model, RANDOM)
    x = torch.randn(4, 3, 6, 6)
    axx.calibrate(model, [x], method="max")
    y_cpu = model(x)
    model.to("cuda")
    assert model[0].input_quantizer.scale.device.type == "cuda"
    y_gpu = model(x.cuda())
    torch.testing.assert_close(y_gpu.cpu(), y_cpu, rtol=1e-5, atol=1e-5)
    y_gpu.sum().backward()
    assert model[2].weight.grad.device.type == "cuda"
