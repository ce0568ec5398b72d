"""Problems of more than 2^31 elements on the GPU: every index of the kernels must be 64-bit.

A (M x K int8) holds 2^31 + 2^16 elements, so rows past 2^21 start beyond any 32-bit offset. The
last rows of every path are checked against the int64 gather of conftest.py (the whole product
would take minutes there), and the paths against each other on every row. Needs a GPU with
24 GiB; skipped elsewhere.
"""
from __future__ import annotations

import pytest
import torch

import axx
from conftest import lowrank_table, ref_matmul

M, K, N = (1 << 21) + 64, 1024, 16  # M * K = 2^31 + 2^16

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available() or torch.cuda.get_device_properties(0).total_memory < 24 << 30,
    reason="needs a CUDA device with 24 GiB")


def test_lut_matmul_beyond_2_31_elements():
    g = torch.Generator(device="cuda").manual_seed(7)
    a = torch.randint(-128, 128, (M, K), dtype=torch.int8, device="cuda", generator=g)
    b = torch.randint(-128, 128, (K, N), dtype=torch.int8, device="cuda", generator=g)
    assert a.numel() > 2**31

    exact = axx.Multiplier.builtin("mul8s_exact")
    # every partial sum is an integer below 2^24, so a float32 GEMM without TF32 is exact
    torch.backends.cuda.matmul.allow_tf32 = False
    want = (a.float() @ b.float()).to(torch.int32)
    for path in ("lut", "auto"):
        got = axx.ops.lut_matmul(a, b, exact, path=path)
        assert torch.equal(got, want), f"mul8s_exact path={path}"
        del got

    m = lowrank_table(3, signed=True, rank=2)
    lut = axx.ops.lut_matmul(a, b, m, path="lut")
    low = axx.ops.lut_matmul(a, b, m, path="lowrank")
    assert torch.equal(lut, low)
    tail = slice(M - 64, M)
    assert torch.equal(lut[tail].cpu(), ref_matmul(a[tail].cpu(), b.cpu(), m))
    head = slice(0, 64)
    assert torch.equal(lut[head].cpu(), ref_matmul(a[head].cpu(), b.cpu(), m))


def test_lut_matmul_batch_beyond_2_31_elements():
    # the same element count as a batch of 2^11 + 1 matrices of 1024 x 1024: batch offsets past 2^31
    batch = (1 << 11) + 1
    a = torch.randint(-128, 128, (batch, 1024, K), dtype=torch.int8, device="cuda")
    b = torch.randint(-128, 128, (K, 8), dtype=torch.int8, device="cuda")
    m = lowrank_table(4, signed=True, rank=2)
    lut = axx.ops.lut_matmul(a, b, m, path="lut")
    low = axx.ops.lut_matmul(a, b, m, path="lowrank")
    assert torch.equal(lut, low)
    assert torch.equal(lut[-1, -32:].cpu(), ref_matmul(a[-1, -32:].cpu(), b.cpu(), m))
