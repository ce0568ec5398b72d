#!/usr/bin/env python3
"""The table-gradient GEMM (``torch.ops.axx.lut_grad_matmul``, grad="lut"'s backward) on the
ViT-B/16 shapes at batch 32, next to the forward LUT GEMM of the same shape: G lookups/s.

    python bench/python/lut_grad_gpu.py [--device cuda] [--reps 10] [--json lut_grad_gpu.json]
    python bench/python/lut_grad_gpu.py --sweep [--sweep-reps 5]

Shapes (M x K x N, batch): the linear layers (M = 32 * 197 tokens), Q.K^T and A.V per head. Random
operands, a random full-rank table (so every path is the lookup kernel). ``--device cpu --smoke``
runs tiny shapes on the CPU (checks the script).

``--sweep`` (CUDA) adds two tables for tuning the kernel choices (docs/emulator-cuda.md):

* every CUDA tiling of the kernel (AXX_CUDA_GRAD_TILING 0..3; 4..7 the same tilings with the
  earlier lookup addressing) for every shape and side, with the tiling the chooser picks (a mirror
  of estimate() in lut_grad_cuda.cu), the unforced time, and how far the pick is from the best;
* the factor path (R + 1 float GEMMs, grad="lut" on tables of exact rank R) against the kernel
  for R = 1..8 on the linear shapes, per side, for _LOWRANK_GRAD_MAX_RANK_CUDA.

With ``--smoke --sweep`` on the CPU the sweep runs without the tilings (the CPU has none).
"""
from __future__ import annotations

import argparse
import json
import math
import os
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
TILINGS = ["8x8", "8x4", "4x8", "4x4"]             # AXX_CUDA_GRAD_TILING 0..3 (4..7: legacy)
TILING_ENV = "AXX_CUDA_GRAD_TILING"


def chosen_tiling(side, b, M, K, N, sms):
    """The tiling lut_grad_cuda's choose_tiling() picks (a mirror of its estimate())."""
    I, J, R = (M, K, N) if side == "a" else (N, K, M)

    def tiles(bi, bj, splits):
        return -(-I // bi) * -(-J // bj) * b * splits

    def splits_of(bi, bj):
        sp = min(2 * sms // tiles(bi, bj, 1), R // 256)
        return max(sp, 1)

    def estimate(bi, bj, eff):
        sp = splits_of(bi, bj)
        t = tiles(bi, bj, sp)
        grid = min(t, sms)
        return math.ceil(t / grid) * bi * bj / sp / eff

    est = [estimate(128, 128, 0.66), estimate(128, 64, 0.65), estimate(64, 128, 0.74), estimate(64, 64, 1.0)]
    return min(range(4), key=lambda v: (est[v], v))


def exact_rank_table(rank, seed):
    """A signed table a*b + sum_{s<rank} u_s[a] v_s[b] with small random integer factors (exact
    rank `rank`; its doubled differences fit int16)."""
    g = torch.Generator().manual_seed(seed)
    v = torch.arange(256) - 128
    u = torch.randint(-7, 8, (rank, 256), generator=g)
    w = torch.randint(-7, 8, (rank, 256), generator=g)
    t = torch.empty(256, 256, dtype=torch.int64)
    idx = v & 255
    t[idx[:, None], idx[None, :]] = v[:, None] * v[None, :] + u.t() @ w
    return t.to(torch.int32)


def sweep_tilings(shapes, device, reps, gen, lut_diff):
    """Every tiling of every shape and side: G lookups/s, the pick, the unforced rate."""
    sms = torch.cuda.get_device_properties(device).multi_processor_count
    saved = os.environ.pop(TILING_ENV, None)
    rows = []
    print(f"\ntilings (G lookups/s; 4..7 = the same tilings with the earlier addressing), {sms} SMs")
    head = " ".join(f"{v}:{n:>5}" for v, n in enumerate(TILINGS)) + " " + \
        " ".join(f"{v + 4}:{n:>5}" for v, n in enumerate(TILINGS))
    print(f"{'shape':<8} side  {head}   auto  pick  best  auto/best")
    try:
        for name, b, M, K, N in shapes:
            qa = torch.randint(-128, 128, (b, M, K), generator=gen, dtype=torch.int8).to(device)
            qb = torch.randint(-128, 128, (b, K, N), generator=gen, dtype=torch.int8).to(device)
            gr = torch.randn(b, M, N, generator=gen).to(device)
            lookups = b * M * K * N
            for side in "ab":
                def run():
                    return torch.ops.axx.lut_grad_matmul(qa, qb, gr, lut_diff, side, 0.5)
                rates = []
                for v in range(8):
                    os.environ[TILING_ENV] = str(v)
                    rates.append(lookups / timed(run, reps, device) / 1e9)
                os.environ.pop(TILING_ENV)
                auto = lookups / timed(run, reps, device) / 1e9
                pick = chosen_tiling(side, b, M, K, N, sms)
                best = max(range(4), key=lambda v: rates[v])
                rows.append({"shape": name, "side": side, "batch": b, "M": M, "K": K, "N": N,
                             "glookups": dict(zip([f"{v}:{TILINGS[v % 4]}{'/legacy' if v > 3 else ''}"
                                                   for v in range(8)], rates)),
                             "auto_glookups": auto, "pick": pick, "best": best,
                             "auto_over_best": auto / rates[best],
                             "pick_over_best": rates[pick] / rates[best],
                             "new_over_legacy_at_pick": rates[pick] / rates[pick + 4]})
                print(f"{name:<8} {side:>4}  " + " ".join(f"{r:7.0f}" for r in rates) +
                      f" {auto:6.0f}  {pick:>4}  {best:>4}  {auto / rates[best]:8.3f}", flush=True)
    finally:
        os.environ.pop(TILING_ENV, None)
        if saved is not None:
            os.environ[TILING_ENV] = saved
    return rows


def sweep_ranks(shapes, device, reps, gen, ranks):
    """The factor path (R + 1 float GEMMs) against the kernel, per side, on tables of exact rank R."""
    import axx
    from axx.nn import _product

    rows = []
    print("\nfactor path vs kernel (ms per call; the factor path in full fp32, TF32 off)")
    print(f"{'shape':<8} side  kernel  " + " ".join(f"{'R=' + str(r):>7}" for r in ranks) + "   largest R faster")
    tables = {}
    for r in ranks:
        t = _product.table_for(axx.Multiplier.from_lut(exact_rank_table(r, 100 + r), name=f"rank{r}"))
        got = t.ops_multiplier.rank
        if got != r or t.difference_factors(device) is None:
            print(f"  rank {r}: the constructed table has rank {got} / no exact factors; skipped")
            continue
        tables[r] = t
    for name, b, M, K, N in shapes:
        qa = torch.randint(-128, 128, (b, M, K), generator=gen, dtype=torch.int8).to(device)
        qb = torch.randint(-128, 128, (b, K, N), generator=gen, dtype=torch.int8).to(device)
        gr = torch.randn(b, M, N, generator=gen).to(device)
        any_table = next(iter(tables.values()))
        for side in "ab":
            d2 = any_table.difference_tables(device)[0 if side == "a" else 1]
            t_kernel = timed(lambda: torch.ops.axx.lut_grad_matmul(qa, qb, gr, d2, side, 0.5), reps, device)
            times = {}
            for r, t in tables.items():
                f = t.difference_factors(device)
                na, nb = side == "a", side == "b"
                times[r] = timed(lambda: _product._lowrank_grads(qa, qb, gr, gr, f, na, nb), reps, device)
            faster = [r for r in times if times[r] < t_kernel]
            crossover = max(faster) if faster else 0
            rows.append({"shape": name, "side": side, "M": M, "K": K, "N": N, "kernel_ms": 1e3 * t_kernel,
                         "factor_ms": {str(r): 1e3 * v for r, v in times.items()},
                         "largest_rank_factor_faster": crossover})
            print(f"{name:<8} {side:>4} {1e3 * t_kernel:7.2f}  " +
                  " ".join(f"{1e3 * times[r]:7.2f}" if r in times else f"{'-':>7}" for r in ranks) +
                  f"   {crossover}", flush=True)
    return rows


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
    p.add_argument("--sweep", action="store_true",
                   help="also time every CUDA tiling per shape and side, and the factor path vs the kernel for ranks 1..8")
    p.add_argument("--sweep-reps", type=int, default=5)
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
    if args.sweep:
        torch.backends.cuda.matmul.allow_tf32 = False       # the factor path runs only in full fp32
        torch.set_float32_matmul_precision("highest")
        sreps = 1 if args.smoke else args.sweep_reps
        if device.type == "cuda":
            out["tilings"] = sweep_tilings(shapes, device, sreps, g, diff)
        lin = [s for s in shapes if s[1] == 1]
        out["ranks"] = sweep_ranks(lin, device, sreps, g, [1, 2, 3] if args.smoke else list(range(1, 9)))
    with open(args.json, "w") as f:
        json.dump(out, f, indent=2)
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
