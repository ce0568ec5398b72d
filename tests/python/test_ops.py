"""axx.ops.lut_matmul / lut_conv2d against the int64 gather-and-sum reference, bit for bit, on
every kernel path, signed and unsigned, CPU and (where present) CUDA; and their argument checks."""
from __future__ import annotations

import contextlib
import os

import pytest
import torch

import axx
from conftest import (lowrank_table, random_operand, random_table, ref_conv2d, ref_matmul,
                      values)

SIGNEDNESS = [pytest.param(True, id="signed"), pytest.param(False, id="unsigned")]


@pytest.fixture(params=SIGNEDNESS)
def signed(request) -> bool:
    return request.param


# (table kind, path): the full-rank table runs only the lookup paths; the low-rank one every path.
CASES = [("random", "auto"), ("random", "lut"), ("lowrank", "auto"), ("lowrank", "lut"),
         ("lowrank", "lowrank")]


def make_table(kind: str, signed: bool) -> axx.Multiplier:
    return random_table(1, signed) if kind == "random" else lowrank_table(2, signed)


def paths_for(device: str):
    # "baseline": AdaPT's lookup loop on CPU, the TransAxx-design kernel on CUDA.
    return CASES + [("random", "baseline"), ("lowrank", "baseline")]


# --- lut_matmul --------------------------------------------------------------------------------

MATMUL_SHAPES = [
    pytest.param((7, 37), (37, 13), id="2d"),
    pytest.param((1, 1), (1, 1), id="1x1x1"),
    pytest.param((64, 300), (300, 33), id="k300"),
    pytest.param((2, 3, 5, 19), (19, 11), id="batched-a-2d-b"),
    pytest.param((4, 6, 17), (4, 17, 9), id="batched"),
    pytest.param((2, 1, 5, 8), (3, 8, 7), id="broadcast"),
    pytest.param((5, 8), (3, 8, 7), id="broadcast-a"),
    pytest.param((1, 5, 8), (2, 2, 8, 7), id="broadcast-leading-1"),
]


@pytest.mark.parametrize("a_shape,b_shape", MATMUL_SHAPES)
def test_lut_matmul_equals_reference(device, signed, a_shape, b_shape):
    a = random_operand(a_shape, signed, 10, device)
    b = random_operand(b_shape, signed, 11, device)
    for kind, path in paths_for(device):
        m = make_table(kind, signed)
        c = axx.ops.lut_matmul(a, b, m, path=path)
        assert c.dtype == torch.int32 and c.device == a.device
        assert torch.equal(c.cpu(), ref_matmul(a, b, m)), (kind, path)


def test_lut_matmul_non_contiguous_operands(device, signed):
    a = random_operand((9, 20), signed, 12, device).t()       # (20, 9) view
    b = random_operand((3, 6, 9), signed, 13, device)[:, ::2]  # (3, 3, 9) strided
    b = b.transpose(-1, -2)                                    # (3, 9, 3)
    for kind, path in paths_for(device):
        m = make_table(kind, signed)
        assert torch.equal(axx.ops.lut_matmul(a, b, m, path=path).cpu(),
                           ref_matmul(a, b, m)), (kind, path)


def test_lut_matmul_exact_multiplier_is_integer_matmul(device, signed):
    m = axx.Multiplier.builtin("mul8s_exact" if signed else "mul8u_exact")
    assert m.rank == 0
    a = random_operand((3, 16, 40), signed, 14, device)
    b = random_operand((40, 24), signed, 15, device)
    expected = values(a.cpu(), signed) @ values(b.cpu(), signed)
    for path in ("auto", "lut", "lowrank"):
        assert torch.equal(axx.ops.lut_matmul(a, b, m, path=path).cpu(), expected.int()), path


def test_lut_matmul_narrow_table_reads_low_bits(device):
    # A 4x4-bit unsigned table: operands are read through their low 4 bits (lutgen expand_to_256).
    g = torch.Generator().manual_seed(3)
    m = axx.Multiplier.from_lut(torch.randint(0, 300, (16, 16), generator=g), signed=False)
    assert (m.bits_a, m.bits_b) == (4, 4)
    a = random_operand((6, 10), False, 16, device)
    b = random_operand((10, 5), False, 17, device)
    assert torch.equal(axx.ops.lut_matmul(a, b, m).cpu(), ref_matmul(a, b, m))


@pytest.mark.parametrize("a_shape,b_shape,out_shape", [
    ((0, 5), (5, 3), (0, 3)),
    ((4, 5), (5, 0), (4, 0)),
    ((0, 4, 5), (5, 3), (0, 4, 3)),
    ((1, 4, 5), (0, 5, 3), (0, 4, 3)),
])
def test_lut_matmul_empty(device, a_shape, b_shape, out_shape):
    m = random_table(1, True)
    c = axx.ops.lut_matmul(random_operand(a_shape, True, 0, device),
                           random_operand(b_shape, True, 1, device), m)
    assert c.shape == out_shape and c.dtype == torch.int32


def test_lut_matmul_k_zero_gives_zeros(device):
    m = random_table(1, True)
    c = axx.ops.lut_matmul(random_operand((3, 0), True, 0, device),
                           random_operand((0, 4), True, 1, device), m)
    assert torch.equal(c.cpu(), torch.zeros(3, 4, dtype=torch.int32))


def test_lut_matmul_tables_are_uploaded_once(device):
    m = lowrank_table(2, True)
    first = m._tables(device)
    assert all(t.device.type == device for t in first)
    assert all(x is y for x, y in zip(first, m._tables(device)))


# --- lut_conv2d --------------------------------------------------------------------------------

CONV_CASES = [
    # x shape, w shape, stride, padding, dilation, groups
    pytest.param((2, 3, 9, 8), (4, 3, 3, 3), 1, 0, 1, 1, id="plain"),
    pytest.param((1, 4, 11, 10), (6, 4, 3, 2), (2, 1), (1, 2), 1, 1, id="stride-padding"),
    pytest.param((2, 3, 12, 12), (5, 3, 3, 3), 1, 2, 2, 1, id="dilation"),
    pytest.param((1, 6, 7, 9), (4, 3, 3, 3), 1, 1, 1, 2, id="groups"),
    pytest.param((2, 8, 10, 10), (8, 1, 3, 3), 1, 1, 1, 8, id="depthwise"),
    pytest.param((1, 4, 14, 14), (6, 4, 7, 7), 7, 0, 1, 1, id="patch-embed"),
    pytest.param((3, 5, 4, 6), (7, 5, 1, 1), 1, 0, 1, 1, id="pointwise"),
]


def _pair(v):
    return (v, v) if isinstance(v, int) else v


@pytest.mark.parametrize("x_shape,w_shape,stride,padding,dilation,groups", CONV_CASES)
def test_lut_conv2d_equals_reference(device, signed, x_shape, w_shape, stride, padding,
                                     dilation, groups):
    x = random_operand(x_shape, signed, 20, device)
    w = random_operand(w_shape, signed, 21, device)
    expected = {}
    for kind, path in paths_for(device):
        m = make_table(kind, signed)
        y = axx.ops.lut_conv2d(x, w, m, stride, padding, dilation, groups, path=path)
        assert y.dtype == torch.int32
        if kind not in expected:
            expected[kind] = ref_conv2d(x, w, m, _pair(stride), _pair(padding), _pair(dilation),
                                        groups)
        assert torch.equal(y.cpu(), expected[kind]), (kind, path)


def test_lut_conv2d_exact_multiplier_matches_torch_conv(device):
    m = axx.Multiplier.builtin("mul8s_exact")
    x = random_operand((2, 4, 9, 9), True, 22, device)
    w = random_operand((6, 2, 3, 3), True, 23, device)
    expected = torch.nn.functional.conv2d(x.cpu().double(), w.cpu().double(), stride=2,
                                          padding=1, groups=2)
    y = axx.ops.lut_conv2d(x, w, m, stride=2, padding=1, groups=2)
    assert torch.equal(y.cpu(), expected.int())


def test_lut_conv2d_empty_batch(device):
    m = random_table(1, True)
    y = axx.ops.lut_conv2d(random_operand((0, 3, 5, 5), True, 0, device),
                           random_operand((2, 3, 3, 3), True, 1, device), m)
    assert y.shape == (0, 2, 3, 3)


# --- argument checks ---------------------------------------------------------------------------
# Each check compares the whole message and the exact exception type: pytest.raises(match=...) is
# re.search, which also passes when the message gains or loses a tail (a shape, a hint).

def _message(error: BaseException) -> str:
    text = str(error)
    # With this debugging switch torch appends the C++ backtrace to messages raised in C++.
    if os.environ.get("TORCH_SHOW_CPP_STACKTRACES", "0") not in ("", "0"):
        text = text.split("\nException raised from ", 1)[0]
    return text


@contextlib.contextmanager
def raises_exactly(exc_type: type[BaseException], message: str):
    with pytest.raises(exc_type) as info:
        yield
    assert type(info.value) is exc_type
    assert _message(info.value) == message


def test_dtype_must_match_signedness():
    a8 = torch.zeros(2, 3, dtype=torch.int8)
    b8 = torch.zeros(3, 4, dtype=torch.int8)
    with raises_exactly(axx.ArgumentTypeError, "axx.lut_matmul: a must be torch.int8 for a signed "
                                               "multiplier, got torch.uint8"):
        axx.ops.lut_matmul(a8.view(torch.uint8), b8, random_table(1, True))
    with raises_exactly(axx.ArgumentTypeError, "axx.lut_matmul: b must be torch.uint8 for an unsigned "
                                               "multiplier, got torch.int8"):
        axx.ops.lut_matmul(a8.view(torch.uint8), b8, random_table(1, False))
    with raises_exactly(axx.ArgumentTypeError, "axx.lut_conv2d: x must be torch.int8 for a signed "
                                               "multiplier, got torch.float32"):
        axx.ops.lut_conv2d(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 1, 1, dtype=torch.int8),
                           random_table(1, True))


def test_matmul_shape_checks():
    m = random_table(1, True)
    z = lambda *s: torch.zeros(s, dtype=torch.int8)  # noqa: E731
    with raises_exactly(axx.UsageError, "axx.lut_matmul: K mismatch: a has shape [2, 3] (K = 3) but b "
                                        "has shape [4, 5] (K = 4)"):
        axx.ops.lut_matmul(z(2, 3), z(4, 5), m)
    with raises_exactly(axx.UsageError, "axx.lut_matmul: a must have shape (..., M, K), got [3]"):
        axx.ops.lut_matmul(z(3), z(3, 5), m)
    with raises_exactly(axx.UsageError, "axx.lut_matmul: b must have shape (K, N) or (..., K, N), "
                                        "got [3]"):
        axx.ops.lut_matmul(z(2, 3), z(3), m)
    with raises_exactly(axx.UsageError, "axx.lut_matmul: batch dimensions of a [2, 4, 3] and b "
                                        "[3, 3, 5] do not broadcast (2 vs 3)"):
        axx.ops.lut_matmul(z(2, 4, 3), z(3, 3, 5), m)
    with raises_exactly(axx.UsageError, "axx.lut_matmul: batch dimensions of a [5, 2, 4, 3] and b "
                                        "[4, 3, 5] do not broadcast (2 vs 4)"):
        axx.ops.lut_matmul(z(5, 2, 4, 3), z(4, 3, 5), m)
    with raises_exactly(axx.ArgumentTypeError, "axx.lut_matmul: b must be a torch.Tensor, got list"):
        axx.ops.lut_matmul(z(2, 3), [[1]], m)


def test_conv2d_shape_checks():
    m = random_table(1, True)
    z = lambda *s: torch.zeros(s, dtype=torch.int8)  # noqa: E731
    with raises_exactly(axx.UsageError, "axx.lut_conv2d: x must be NCHW (4 dimensions), got shape "
                                        "[3, 5, 5]"):
        axx.ops.lut_conv2d(z(3, 5, 5), z(2, 3, 3, 3), m)
    with raises_exactly(axx.UsageError, "axx.lut_conv2d: input channels (6) must be divisible by "
                                        "groups (4)"):
        axx.ops.lut_conv2d(z(1, 6, 5, 5), z(4, 1, 3, 3), m, groups=4)
    with raises_exactly(axx.UsageError, "axx.lut_conv2d: w has shape [2, 4, 3, 3] so expects 4 input "
                                        "channels (4 per group x 1 groups), but x has shape "
                                        "[1, 3, 5, 5] (3 channels)"):
        axx.ops.lut_conv2d(z(1, 3, 5, 5), z(2, 4, 3, 3), m)
    with raises_exactly(axx.UsageError, "axx.lut_conv2d: output would be -1x-1 for input 3x3, kernel "
                                        "5x5, padding [0, 0], dilation [1, 1], stride [1, 1]; the "
                                        "kernel does not fit"):
        axx.ops.lut_conv2d(z(1, 1, 3, 3), z(1, 1, 5, 5), m)
    with raises_exactly(axx.UsageError, "axx.lut_conv2d: stride must be positive, got [0, 1]"):
        axx.ops.lut_conv2d(z(1, 1, 3, 3), z(1, 1, 1, 1), m, stride=(0, 1))
    with raises_exactly(axx.UsageError, "axx.lut_conv2d: padding must be non-negative, got [-1, -1]"):
        axx.ops.lut_conv2d(z(1, 1, 3, 3), z(1, 1, 1, 1), m, padding=-1)


def test_path_checks():
    a = torch.zeros(2, 3, dtype=torch.int8)
    b = torch.zeros(3, 4, dtype=torch.int8)
    with raises_exactly(axx.UsageError, "axx.lut_matmul: path 'lowrank' needs the multiplier's exact "
                                        "low-rank form (lowrank_u, lowrank_v); this table has none"):
        axx.ops.lut_matmul(a, b, random_table(1, True), path="lowrank")
    with raises_exactly(axx.UsageError, "axx.lut_matmul: unknown path 'fast' (expected one of: auto, "
                                        "lut, lowrank, baseline)"):
        axx.ops.lut_matmul(a, b, random_table(1, True), path="fast")


def test_multiplier_argument_checks():
    a = torch.zeros(2, 3, dtype=torch.int8)
    b = torch.zeros(3, 4, dtype=torch.int8)
    with raises_exactly(axx.ArgumentTypeError, "axx.lut_matmul: multiplier must be an axx.Multiplier, got "
                                               "Tensor"):
        axx.ops.lut_matmul(a, b, torch.zeros(256, 256, dtype=torch.int32))
    wide = axx.Multiplier.from_lut(torch.zeros(1024, 1024, dtype=torch.int32), name="wide")
    with raises_exactly(axx.UsageError, "axx.lut_matmul: multiplier 'wide' has 10x10-bit "
                                        "operands (table shape (1024, 1024)); the emulator runs "
                                        "operands of up to 8 bits"):
        axx.ops.lut_matmul(a, b, wide)


def test_raw_op_table_checks():
    a = torch.zeros(2, 3, dtype=torch.int8)
    b = torch.zeros(3, 4, dtype=torch.int8)
    lut = torch.zeros(256, 256, dtype=torch.int32)
    op = torch.ops.axx.lut_matmul
    with raises_exactly(ValueError, "axx.lut_matmul: lut must be a 256x256 torch.int32 table, got "
                                    "torch.int64 of shape [256, 256]"):
        op(a, b, lut.long(), None, None, True)
    with raises_exactly(ValueError, "axx.lut_matmul: lowrank_u and lowrank_v must be given "
                                    "together"):
        op(a, b, lut, torch.zeros(1, 256, dtype=torch.int32), None, True)
    with raises_exactly(ValueError, "axx.lut_matmul: lowrank_v must be an R x 256 torch.int32 "
                                    "tensor, got torch.int32 of shape [1, 255]"):
        op(a, b, lut, torch.zeros(1, 256, dtype=torch.int32),
           torch.zeros(1, 255, dtype=torch.int32), True)
    with raises_exactly(ValueError, "axx.lut_matmul: lowrank_u and lowrank_v must have the same "
                                    "rank, got 1 and 2"):
        op(a, b, lut, torch.zeros(1, 256, dtype=torch.int32),
           torch.zeros(2, 256, dtype=torch.int32), True)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_device_checks_cuda():
    m = random_table(1, True)
    a = torch.zeros(2, 3, dtype=torch.int8)
    with raises_exactly(axx.UsageError, "axx.lut_matmul: a and b must be on the same device, got cpu "
                                        "and cuda:0"):
        axx.ops.lut_matmul(a, a.new_zeros(3, 4).cuda(), m)
    lut, _, _ = m._tables("cpu")
    with raises_exactly(ValueError, "axx.lut_matmul: lut must be on the operands' device cuda:0, "
                                    "got cpu"):
        torch.ops.axx.lut_matmul(a.cuda(), a.new_zeros(3, 4).cuda(), lut, None, None, True)


# --- registration: Meta shapes, TorchScript, torch.compile ---------------------------------------

def test_meta_kernels_give_shapes():
    lut = torch.empty(256, 256, dtype=torch.int32, device="meta")
    a = torch.empty(2, 1, 5, 8, dtype=torch.int8, device="meta")
    b = torch.empty(3, 8, 7, dtype=torch.int8, device="meta")
    c = torch.ops.axx.lut_matmul(a, b, lut, None, None, True)
    assert c.shape == (2, 3, 5, 7) and c.dtype == torch.int32 and c.device.type == "meta"
    x = torch.empty(2, 4, 11, 10, dtype=torch.uint8, device="meta")
    w = torch.empty(6, 2, 3, 2, dtype=torch.uint8, device="meta")
    y = torch.ops.axx.lut_conv2d(x, w, lut, None, None, False, [2, 1], [1, 2], [1, 1], 2)
    assert y.shape == (2, 6, 6, 13) and y.dtype == torch.int32


def test_torchscript_calls_the_op():
    @torch.jit.script
    def f(a: torch.Tensor, b: torch.Tensor, lut: torch.Tensor) -> torch.Tensor:
        return torch.ops.axx.lut_matmul(a, b, lut, None, None, True, "lut")

    m = random_table(1, True)
    a, b = random_operand((4, 9), True, 30), random_operand((9, 5), True, 31)
    assert torch.equal(f(a, b, m._tables("cpu")[0]), ref_matmul(a, b, m))


def test_torch_compile_traces_the_op():
    m = lowrank_table(2, True)
    lut, u, v = m._tables("cpu")

    def f(a, b):
        return torch.ops.axx.lut_matmul(a, b, lut, u, v, True, "auto") + 1

    a, b = random_operand((2, 4, 9), True, 32), random_operand((9, 5), True, 33)
    compiled = torch.compile(f, backend="aot_eager", fullgraph=True)
    assert torch.equal(compiled(a, b), ref_matmul(a, b, m) + 1)


def test_torch_compile_traces_the_wrappers(device):
    # A fresh multiplier: its tables reach the device inside the traced code.
    m = lowrank_table(3, True)

    def f(x, w, b):
        y = axx.ops.lut_conv2d(x, w, m, padding=1)        # (1, 4, 5, 5)
        return axx.ops.lut_matmul(x[0, 0], b, m), y

    x = random_operand((1, 2, 5, 5), True, 34, device)
    w = random_operand((4, 2, 3, 3), True, 35, device)
    b = random_operand((5, 3), True, 36, device)
    mm, conv = torch.compile(f, backend="aot_eager", fullgraph=True)(x, w, b)
    assert torch.equal(mm.cpu(), ref_matmul(x[0, 0], b, m))
    assert torch.equal(conv.cpu(), ref_conv2d(x, w, m, padding=(1, 1)))
