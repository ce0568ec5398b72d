#!/usr/bin/env python3
"""The table-gradient GEMM (``torch.ops.axx.lut_grad_matmul``, grad="lut"'s backward) on the
ViT-B/16 shapes at batch 32, next to the forward LUT GEMM of the same shape: G lookups/s.

    python bench/python/lut_grad_gpu.py [--device cuda] [--reps 10] [--json lut_grad_gpu.json]

Shapes (M x K x N, batch): the linear layers (M = 32 * 197 tokens), Q.K^T and A.V per head. Random
operands, a random full-rank table (so every path is the lookup kernel). ``--device cpu --smoke``
runs tiny shapes on the CPU (checks the script).
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import torch

VIT_SHAPES = [  # name, batch, M, K, N
    ("qkv", 1, 32 * 197, 768, 2304),
    ("proj", 1, 32 * 197, 768, 768),
    ("fc1", 1, 32 * 197, 768, 3072),
    ("fc2", 1, 32 * 197, 3072, 768),
    ("q.k^T", 32 * 12, 197, 64, 197),
    ("a.v", 32 * 12, 197, 197, 64),
]
SMOKE_SHAPES = [("small", 1, 50, 40, 30), ("batched", 3, 20, 16, 24)]


def timed(fn, reps, device):
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--smoke", action="store_true", help="tiny shapes, one repetition")
    p.add_argument("--json", default="lut_grad_gpu.json")
    args = p.parse_args(argv)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("lut_grad_gpu.py: no CUDA device (use --device cpu --smoke for a CPU check)", file=sys.stderr)
        return 2
    import axx

    g = torch.Generator().manual_seed(0)
    m = axx.Multiplier.from_lut(torch.randint(-16384, 16384, (256, 256), generator=g, dtype=torch.int32),
                                name="random_full_rank")
    lut = m.lut.to(device)
    diff = torch.randint(-3000, 3000, (256, 256), generator=g, dtype=torch.int32).to(device)
    shapes, reps = (SMOKE_SHAPES, 1) if args.smoke else (VIT_SHAPES, args.reps)
    rows = []
    print(f"{'shape':<8} {'batch':>5} {'M':>6} {'K':>5} {'N':>5}   G lookups/s: {'forward':>8} {'grad a':>8} {'grad b':>8}")
    for name, b, M, K, N in shapes:
        qa = torch.randint(-128, 128, (b, M, K), generator=g, dtype=torch.int8).to(device)
        qb = torch.randint(-128, 128, (b, K, N), generator=g, dtype=torch.int8).to(device)
        gr = torch.randn(b, M, N, generator=g).to(device)
        lookups = b * M * K * N
        t_fwd = timed(lambda: torch.ops.axx.lut_matmul(qa, qb, lut, None, None, True, "lut"), reps, device)
        t_a = timed(lambda: torch.ops.axx.lut_grad_matmul(qa, qb, gr, diff, "a", 0.5), reps, device)
        t_b = timed(lambda: torch.ops.axx.lut_grad_matmul(qa, qb, gr, diff, "b", 0.5), reps, device)
        row = {"shape": name, "batch": b, "M": M, "K": K, "N": N,
               "forward_glookups": lookups / t_fwd / 1e9, "grad_a_glookups": lookups / t_a / 1e9,
               "grad_b_glookups": lookups / t_b / 1e9}
        rows.append(row)
        print(f"{name:<8} {b:>5} {M:>6} {K:>5} {N:>5}   {'':12} {row['forward_glookups']:8.1f} "
              f"{row['grad_a_glookups']:8.1f} {row['grad_b_glookups']:8.1f}", flush=True)
    out = {"device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu", "reps": reps, "rows": rows}
    with open(args.json, "w") as f:
        json.dump(out, f, indent=2)
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
