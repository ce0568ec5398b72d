"""bench/emulator_cuda/bank_passes.py, the shared-memory bank model behind the LUT kernel's lookup
ceiling (docs/emulator-cuda.md, "The lookup ceiling"): the pass count of one instruction, and the
means the docs quote beside their ncu measurements on the H200."""
from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "emulator_cuda" / "bank_passes.py"


@pytest.fixture(scope="module")
def bp():
    spec = importlib.util.spec_from_file_location("bank_passes", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_passes_of_one_instruction(bp):
    assert bp.passes([5] * 32) == 1                     # one word: a broadcast
    assert bp.passes(list(range(32))) == 1              # 32 banks, one word each
    assert bp.passes([0, 32, 64]) == 3                  # three words of bank 0
    assert bp.passes([0, 0, 32, 1, 33, 65]) == 3        # bank 1 holds three distinct words
    # Entry (a, b) of the 258-entry rows: bank (a + b // 2) mod 32.
    assert bp.ROW_WORDS * 3 % 32 == 3


def _mean(draw, n):
    return sum(draw() for _ in range(n)) / n


def test_pattern_means_match_the_measured_figures(bp):
    rng = random.Random(7)
    shared = _mean(lambda: bp.rows_pattern(rng, [32]), 4000)
    independent = _mean(lambda: bp.rows_pattern(rng, [1] * 32), 4000)
    two_rows = _mean(lambda: bp.rows_pattern(rng, [25, 7]), 4000)
    four_rows = _mean(lambda: bp.rows_pattern(rng, [8, 8, 8, 8]), 4000)
    lcg = _mean(lambda: bp.lcg_pattern(rng), 150)
    # ncu on the H200: 2.78 (shared-row ceiling), 3.53 (independent), 2.52 (LCG-indexed).
    assert shared == pytest.approx(2.79, abs=0.05)
    assert independent == pytest.approx(3.53, abs=0.05)
    assert lcg == pytest.approx(2.5, abs=0.15)
    # One row per instruction is the best grouping; more rows per warp cost more passes.
    assert lcg < shared < two_rows < four_rows < independent


def test_main_prints_every_pattern(bp, capsys):
    assert bp.main(["--draws", "100"]) == 0
    out = capsys.readouterr().out
    for name in ("lcg", "shared-row", "independent", "rows 25+7", "rows 4x8"):
        assert name in out
