#!/usr/bin/env python3
"""Shared-memory passes per lookup instruction, by access pattern (docs/emulator-cuda.md, "The
lookup ceiling").

A warp's shared-memory load takes one pass (an ncu "wavefront") per distinct 32-bit word in its
most loaded bank: lanes that read the same word share it, lanes that read different words of one
bank wait for each other. The LUT kernel's table has rows of 258 16-bit entries (129 words), so
entry (a, b) lies in word 129 a + b // 2, bank (a + b // 2) mod 32. This script draws the 32
lookups of one instruction for each pattern the benchmark and the kernel's tilings produce and
prints the mean passes, to set beside ncu's
l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld / smsp__inst_executed_op_shared_ld:

  lcg          the benchmark's first ceiling kernel (its LCG, its seeds, a 64K-entry table):
               measured 2.52
  shared-row   one row per instruction, a random column per lane (ceiling_rows_kernel<true>,
               and the tilings whose warp lies on one tile row: 18, 20, 21, 22): measured 2.78
  independent  a random row and column per lane (ceiling_rows_kernel<false>): measured 3.53
  rows 25+7    the 25-thread rows of tiling 13 (Q K^T): a warp spans two rows
  rows 24+8    tiling 19's 24-thread rows
  rows 4x8     8-thread rows (tilings 7, 10, 11, 14 on A V): four rows per warp

Usage: python3 bench/emulator_cuda/bank_passes.py [--draws N] [--seed S]
Pure Python, no GPU; a few seconds for the default 20000 draws per pattern.
"""
import argparse
import random
from collections import defaultdict

ROW_WORDS = 129  # 258 16-bit entries per row


def passes(words):
    """Passes of one instruction: distinct words in the most loaded bank."""
    banks = defaultdict(set)
    for w in words:
        banks[w % 32].add(w)
    return max(len(s) for s in banks.values())


def rows_pattern(rng, lanes_per_row):
    """One instruction of a warp whose lanes lie on len(lanes_per_row) tile rows."""
    words = []
    for n in lanes_per_row:
        a = rng.randrange(256)
        words += [ROW_WORDS * a + rng.randrange(256) // 2 for _ in range(n)]
    return passes(words)


def lcg_pattern(rng):
    """The first ceiling kernel: per-lane LCG states from consecutive seeds, two lookups (low and
    high 16 bits) per state and step, a 64K-entry table without row padding."""
    warp = rng.randrange(132 * 32)
    step = rng.randrange(1, 4096)
    state = rng.randrange(4)
    words_lo, words_hi = [], []
    a_n = pow(1664525, step, 1 << 32)
    c_n = 0  # sum of 1664525^i * 1013904223 for i < step
    for _ in range(step):
        c_n = (c_n * 1664525 + 1013904223) & 0xFFFFFFFF
    for lane in range(32):
        x0 = ((warp * 32 + lane) * 2654435761 + 1) & 0xFFFFFFFF
        x = [x0, x0 ^ 0x9E3779B9, (x0 * 3 + 7) & 0xFFFFFFFF, x0 ^ 0x7F4A7C15][state]
        x = (a_n * x + c_n) & 0xFFFFFFFF
        words_lo.append((x & 0xFFFF) >> 1)
        words_hi.append((x >> 16) >> 1)
    return (passes(words_lo) + passes(words_hi)) / 2


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--draws", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    patterns = [
        ("lcg", lambda: lcg_pattern(rng), 2.52),
        ("shared-row", lambda: rows_pattern(rng, [32]), 2.78),
        ("independent", lambda: rows_pattern(rng, [1] * 32), 3.53),
        ("rows 25+7", lambda: rows_pattern(rng, [25, 7]), None),
        ("rows 24+8", lambda: rows_pattern(rng, [24, 8]), None),
        ("rows 16+16", lambda: rows_pattern(rng, [16, 16]), None),
        ("rows 4x8", lambda: rows_pattern(rng, [8, 8, 8, 8]), None),
    ]
    print(f"{'pattern':12s} {'passes/instruction':>18s} {'ncu (H200)':>11s}")
    for name, draw, measured in patterns:
        n = args.draws if name != "lcg" else max(200, args.draws // 50)  # lcg draws cost a loop
        mean = sum(draw() for _ in range(n)) / n
        print(f"{name:12s} {mean:18.2f} {measured if measured else '':>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
