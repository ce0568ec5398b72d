"""`python -m axx.demo` end to end on a small subset: a synthetic Fashion-MNIST-shaped folder (a few
dozen random images), one source file beside the built-ins, two fine-tuning steps. What it
checks is what the demo adds: every multiplier evaluated once, identical tables merged, the metrics
it reports equal to a loop here, and its files written."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import axx
from axx.apps.data import write_idx

ROOT = Path(__file__).resolve().parents[2]


def fake_fashion_mnist(folder: Path, n_train: int, n_test: int) -> None:
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, n, dtype=np.uint8))


def run_demo(*args, cwd):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "axx.demo", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_help_names_the_subset_options(tmp_path):
    r = run_demo("--help", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for opt in ("--out", "--multipliers", "--data", "--limit", "--finetune-steps", "--calib-batches"):
        assert opt in r.stdout, opt


def test_missing_out_is_a_usage_error(tmp_path):
    r = run_demo(cwd=tmp_path)
    assert r.returncode == 2  # argparse's usage status
    assert r.stderr.strip().endswith("error: the following arguments are required: --out")


def test_small_run(tmp_path):
    data, src, out = tmp_path / "data", tmp_path / "src", tmp_path / "out"
    data.mkdir()
    src.mkdir()
    fake_fashion_mnist(data, n_train=64, n_test=40)
    shutil.copy(ROOT / "multipliers" / "src" / "mul8u_trunc6.c", src)
    r = run_demo("--out", str(out), "--data", str(data), "--multipliers", str(src), "--batch-size", "16",
                 "--calibration", "max", "--calib-batches", "1", "--finetune-steps", "2", "--finetune-batch", "8",
                 "--limit", "32", cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    summary = json.loads((out / "results.json").read_text())
    assert summary["test_images"] == 32
    names = [x["name"] for x in summary["results"]]
    assert sorted(names) == sorted(i.name for i in axx.multipliers())  # each evaluated once
    by_name = {x["name"]: x for x in summary["results"]}
    # The C file gives builtin:mul8u_trunc6's table: merged with it, not evaluated twice.
    assert by_name["mul8u_trunc6"]["sources"] == ["builtin:mul8u_trunc6", "src/mul8u_trunc6.c"]
    # Its metrics by a loop over the truncated array (rows b_i * (a << i), bits below 2^6 dropped).
    a = np.arange(256)[:, None]
    b = np.arange(256)[None, :]
    approx = sum(((b >> i) & 1) * ((a << i) & ~63) for i in range(8))
    err = np.abs(a * b - approx)
    assert by_name["mul8u_trunc6"]["mae_percent"] == pytest.approx(100 * err.mean() / 2**16, rel=1e-12)
    assert by_name["mul8u_trunc6"]["wce_percent"] == pytest.approx(100 * err.max() / 2**16, rel=1e-12)
    assert by_name["mul8u_trunc6"]["ep_percent"] == pytest.approx(100 * (err != 0).mean(), rel=1e-12)
    assert by_name["mul8s_exact"]["mae_percent"] == 0 and by_name["mul8s_exact"]["rank"] == 0
    for x in summary["results"]:
        assert 0 <= x["accuracy"] <= 100
    worst = min(summary["results"], key=lambda x: x["accuracy"])
    assert summary["finetune"]["multiplier"] == worst["name"] and summary["finetune"]["steps"] == 2
    assert worst["finetuned_accuracy"] == summary["finetune"]["after"]
    for f in ("report.md", "accuracy_vs_mae.png", "error_heatmaps.png"):
        assert (out / f).stat().st_size > 0, f
