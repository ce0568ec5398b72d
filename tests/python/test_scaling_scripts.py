"""The GPU machine's scaling scripts, checked on a CPU machine: bench/python/train_scaling.py in its
``--device cpu --tiny`` mode (1 and 2 gloo processes under torchrun) and the comparison
bench/python/compare_explore.py makes of two explore_gpu.py results."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

BENCH = Path(__file__).resolve().parents[2] / "bench" / "python"


def _gloo() -> bool:
    import torch.distributed as dist
    return dist.is_available() and dist.is_gloo_available()


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(not _gloo(), reason="torch.distributed with gloo is not available")
@pytest.mark.skipif(importlib.util.find_spec("timm") is None, reason="timm is not installed")
def test_train_scaling_cpu_tiny_one_and_two_processes(tmp_path):
    out = tmp_path / "train_scaling.json"
    env = dict(os.environ)
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    p = subprocess.run([sys.executable, str(BENCH / "train_scaling.py"), "--device", "cpu", "--tiny",
                        "--procs", "1,2", "--work", str(tmp_path / "work"), "--json", str(out)],
                       capture_output=True, text=True, env=env, timeout=170)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    r = json.loads(out.read_text())
    assert r["ok"] and not r["errors"] and r["procs"] == [1, 2]
    rows = r["rows"]
    configs = ["float", "ste:noisy", "lut:noisy", "lut:mul8s_drum4"]
    assert [(x["config"], x["processes"]) for x in rows] == [(c, n) for c in configs for n in (1, 2)]
    by = {(x["config"], x["processes"]): x for x in rows}
    assert by["lut:noisy", 1]["path"] == "table lookup" and by["lut:noisy", 1]["global_batch"] == 4
    assert by["lut:mul8s_drum4", 1]["path"] == "low-rank" and by["float", 1]["path"] == "float"
    for x in rows:
        assert x["images_per_second"] > 0 and len(x["losses"]) == x["warmup_steps"] + x["timed_steps"] == 3
        assert len(x["step_seconds_rank0"]) == 3
        if x["processes"] == 2:
            one = by[x["config"], 1]
            assert x["agrees_with_1"] and x["first_loss"] == pytest.approx(one["first_loss"], rel=1e-5)
            assert x["per_process_batch"] * 2 == x["global_batch"] == one["global_batch"]
            assert x["efficiency"] == pytest.approx(x["images_per_second"] / (2 * one["images_per_second"]))
    # the approximate models really run their tables: their first losses differ from the float one
    assert by["lut:noisy", 1]["first_loss"] != by["ste:noisy", 1]["first_loss"]   # batch 4 vs 8
    assert by["ste:noisy", 1]["first_loss"] != by["float", 1]["first_loss"]
    assert "first-step losses: 4 comparison(s) of N > 1 with N = 1: all equal to rtol 1e-5" in p.stdout


def _explore_result(world_size: int, rate: float) -> dict:
    return {"model": "vit_tiny_patch16_224", "world_size": world_size, "evaluations": 4, "products": 9,
            "reference_accuracy": 0.875, "setup_seconds": 1.0 * world_size, "total_seconds": 3.0,
            "evaluations_per_minute": rate, "evaluations_per_minute_overall": rate / 2,
            "images_per_second": rate / 3, "candidate_rank": {"mul8s_trunc6c": 1},
            "front": [{"assignment": {"blocks.0.mlp.fc1": "mul8s_trunc6c"}, "accuracy": 0.8125, "energy": 0.5},
                      {"assignment": {}, "accuracy": 0.875, "energy": 1.0}]}


def test_compare_explore(tmp_path, capsys):
    mod = _load("compare_explore")
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text(json.dumps(_explore_result(1, 100.0)))
    two.write_text(json.dumps(_explore_result(2, 190.0)))          # timings differ: still identical
    assert mod.main([str(one), str(two)]) == 0
    assert "VERDICT: IDENTICAL" in capsys.readouterr().out
    changed = _explore_result(2, 190.0)
    changed["front"][0]["accuracy"] = 0.8125 + 2 ** -40               # one float's last bits
    two.write_text(json.dumps(changed))
    assert mod.main([str(one), str(two)]) == 1
    assert "VERDICT: DIFFERENT: front" in capsys.readouterr().out
    changed = _explore_result(2, 190.0)
    changed["front"][0]["assignment"]["blocks.0.mlp.fc1"] = "mul8s_trunc8c"
    del changed["products"]                                          # a missing field differs too
    two.write_text(json.dumps(changed))
    assert mod.main([str(one), str(two)]) == 1
    assert "VERDICT: DIFFERENT: front, products" in capsys.readouterr().out
    assert mod.main([str(one), str(one)]) == 1                        # not a 1- vs N-process pair
    assert mod.main([str(one), str(tmp_path / "missing.json")]) == 2
