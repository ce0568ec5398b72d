"""Shared fixtures of the axx pytest suites: devices, test tables and the slow integer references
every op must equal bit for bit (the package itself is installed editable in .venv)."""
from __future__ import annotations

import pytest
import torch

import axx

# CUDA cases run wherever torch sees a GPU; there a build without the CUDA ops fails them loudly
# instead of skipping.
DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(),
                                                  reason="no CUDA device")),
]


@pytest.fixture(params=DEVICES)
def device(request) -> str:
    return request.param


def values(patterns: torch.Tensor, signed: bool) -> torch.Tensor:
    """The operand values of 8-bit patterns 0..255 (two's complement when signed)."""
    p = patterns.long()
    return torch.where(p >= 128, p - 256, p) if signed else p


def random_table(seed: int, signed: bool) -> axx.Multiplier:
    """A 256x256 table of random entries: full rank, so only the lookup path can run it."""
    g = torch.Generator().manual_seed(seed)
    return axx.Multiplier.from_lut(torch.randint(-2**20, 2**20, (256, 256), generator=g),
                                   signed=signed, name=f"random{seed}")


def lowrank_table(seed: int, signed: bool, rank: int = 2) -> axx.Multiplier:
    """lut[a][b] = a*b + sum_r u_r[a] v_r[b] with small random integers: exact rank RANK."""
    g = torch.Generator().manual_seed(seed)
    u = torch.randint(-50, 51, (rank, 256), generator=g)
    v = torch.randint(-90, 91, (rank, 256), generator=g)
    x = values(torch.arange(256), signed)
    lut = x[:, None] * x[None, :] + (u[:, :, None] * v[:, None, :]).sum(0)
    return axx.Multiplier.from_lut(lut, signed=signed, name=f"lowrank{seed}")


def random_operand(shape, signed: bool, seed: int, device="cpu") -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    t = torch.randint(0, 256, tuple(shape), generator=g, dtype=torch.int64)
    return (t.to(torch.uint8).view(torch.int8) if signed else t.to(torch.uint8)).to(device)


def table_256(m: axx.Multiplier) -> torch.Tensor:
    """The multiplier's table at every pair of 8-bit patterns, int64 (narrower operands read the
    low bits of the pattern)."""
    p = torch.arange(256)
    return m.lut.long()[p[:, None] & (2**m.bits_a - 1), p[None, :] & (2**m.bits_b - 1)]


def _int32(x: torch.Tensor) -> torch.Tensor:
    assert x.abs().max() < 2**31 if x.numel() else True, "test sizes must not overflow int32"
    return x.to(torch.int32)


def ref_matmul(a: torch.Tensor, b: torch.Tensor, m: axx.Multiplier) -> torch.Tensor:
    """sum_k lut[a[..., i, k]][b[..., k, j]] by gathering every product (int64), broadcast like
    torch.matmul."""
    lut = table_256(m)
    ia = a.cpu().long() & 255
    ib = b.cpu().long() & 255
    products = lut[ia.unsqueeze(-1), ib.unsqueeze(-3)]  # (..., M, K, N)
    return _int32(products.sum(-2))


def ref_conv2d(x: torch.Tensor, w: torch.Tensor, m: axx.Multiplier, stride=(1, 1),
               padding=(0, 0), dilation=(1, 1), groups=1) -> torch.Tensor:
    """Direct convolution summing lut[x][w] per tap; padded positions hold the pattern 0."""
    lut = table_256(m)
    xp = torch.nn.functional.pad(x.cpu().long() & 255, (padding[1], padding[1], padding[0],
                                                        padding[0]))
    wp = w.cpu().long() & 255
    n, c, h, wd = xp.shape
    o, cg, kh, kw = wp.shape
    oh = (h - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    og = o // groups
    y = torch.zeros(n, o, oh, ow, dtype=torch.int64)
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                r0, c0 = i * dilation[0], j * dilation[1]
                taps = xp[:, g * cg:(g + 1) * cg, r0:r0 + stride[0] * (oh - 1) + 1:stride[0],
                          c0:c0 + stride[1] * (ow - 1) + 1:stride[1]]  # (N, Cg, OH, OW)
                wt = wp[g * og:(g + 1) * og, :, i, j]  # (Og, Cg)
                y[:, g * og:(g + 1) * og] += lut[taps[:, None], wt[None, :, :, None, None]].sum(2)
    return _int32(y)
