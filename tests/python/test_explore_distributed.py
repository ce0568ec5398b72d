"""axx.explore data-parallel: two gloo processes under torchrun give exactly the front of one process.

The module is also the torchrun worker (``python -m torch.distributed.run ... THIS_FILE OUT.json``):
every rank runs the same searches, rank 0 writes their ``to_dict()``; the test compares it with the
same searches run in the test process, key for key and float for float.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

import axx

_VALS = torch.arange(256)
_VALS = torch.where(_VALS < 128, _VALS, _VALS - 256)
_EXACT = _VALS[:, None] * _VALS[None, :]


def _mult(name, table):
    return axx.Multiplier.from_lut(table.to(torch.int32), signed=True, name=name)


def _floor(k):
    return _mult(f"floor{k}", torch.div(_EXACT, k, rounding_mode="floor") * k)


CANDIDATES = [_floor(4), _floor(64), _floor(512), _mult("zero", torch.zeros(256, 256))]
COSTS = {"floor4": 0.8, "floor64": 0.5, "floor512": 0.3, "zero": 0.05}
# (method, evaluations, seed): every search of explore, with budgets that leave choices to make
SEARCHES = [("greedy", 16, 0), ("hybrid", 14, 1), ("sensitivity", 12, 0), ("mcts", 8, 2),
            ("evolutionary", 14, 3), ("random", 6, 4)]


SEEN = [0]          # examples this process ran through the model (copies included)


class Net(nn.Sequential):
    def forward(self, x):
        SEEN[0] += len(x)
        return super().forward(x)


def _model():
    torch.manual_seed(0)
    return Net(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
               nn.Linear(32, 5)).eval()


def _data():
    """5 batches of 30 (an odd count: the ranks hold 3 and 2 batches), labelled by the float model
    on slightly perturbed inputs, so the exact product is good but not perfect."""
    g = torch.Generator().manual_seed(1)
    x = torch.randn(150, 16, generator=g)
    with torch.no_grad():
        y = _model()(x + 0.3 * torch.randn(150, 16, generator=g)).argmax(1)
    return [(x[i:i + 30], y[i:i + 30]) for i in range(0, 150, 30)]


def run_all() -> dict:
    out = {}
    for method, evaluations, seed in SEARCHES:
        res = axx.explore(_model(), _data(), CANDIDATES, costs=COSTS, method=method, evaluations=evaluations,
                          seed=seed, calibration="percentile", calibration_batches=3, progress=False)
        out[method] = res.to_dict()
    s = axx.sensitivity(_model(), _data(), CANDIDATES[1:2], calibration_batches=3, progress=False)
    out["sensitivity()"] = s.to_dict()
    return out


def _torchrun(*args, nproc=2, timeout=600):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}"]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, env=env, timeout=timeout)


def _one_thread(fn):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)           # as each torchrun worker runs (OMP_NUM_THREADS=1)
    try:
        return fn()
    finally:
        torch.set_num_threads(threads)


def test_two_processes_give_the_front_of_one(tmp_path):
    out = tmp_path / "two.json"
    p = _torchrun(__file__, out)
    assert p.returncode == 0, p.stderr[-3000:]
    two = json.loads(out.read_text())
    one = json.loads(json.dumps(_one_thread(run_all)))
    assert list(two) == list(one)
    for key in one:
        assert two[key] == one[key], key          # assignments, accuracies, energies, counts: all equal
    # the work was split: per search, each rank labelled the data (150 examples) and ran the first
    # batch (MACs); then per evaluation rank 1 ran its 2 of the 5 batches (60 examples) and rank 0,
    # which alone calibrated (3 batches), the other 3
    evals = [one[k]["evaluations"] for k in one]
    seen = [json.loads((tmp_path / f"seen{r}.json").read_text()) for r in (0, 1)]
    assert seen[1] == sum(150 + 30 + 60 * e for e in evals)
    assert seen[0] == sum(150 + 90 + 30 + 90 * e for e in evals)
    # the searches did choose: more than the uniform assignments were evaluated, fronts have several points
    assert one["greedy"]["evaluations"] == 16 and len(one["greedy"]["front"]) >= 3
    assert len({p["accuracy"] for p in one["greedy"]["points"]}) >= 4


def test_command_line_under_torchrun_writes_once_and_equals_one_process(tmp_path):
    """`torchrun -m axx.explore --timm ...`: rank 0 writes explore.json, equal to one process's."""
    timm_mod = pytest.importorskip("timm")
    torch.manual_seed(0)
    kwargs = {"img_size": 32, "depth": 1, "num_classes": 4}
    model = timm_mod.create_model("vit_tiny_patch16_224", pretrained=False, **kwargs).eval()
    weights = tmp_path / "w.pth"
    torch.save(model.state_dict(), weights)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(24, 3, 32, 32, generator=g)
    with torch.no_grad():
        y = model(x + 0.5 * torch.randn(24, 3, 32, 32, generator=g)).argmax(1)
    dataset = tmp_path / "d.pt"
    torch.save({"inputs": x, "targets": y}, dataset)
    costs = tmp_path / "costs.json"
    costs.write_text(json.dumps({"mul8s_trunc6c": 0.7, "mul8s_trunc8c": 0.45, "mul8s_drum4": 0.3}))
    args = ["--timm", "vit_tiny_patch16_224", "--model-kwargs", json.dumps(kwargs), "--checkpoint", weights,
            "--dataset", dataset, "--batch-size", 8, "--calib-batches", 1, "--candidates",
            "mul8s_trunc6c,mul8s_trunc8c,mul8s_drum4", "--costs", costs, "--evaluations", 6, "--no-progress"]
    p = _torchrun("-m", "axx.explore", "--out", tmp_path / "two", *args)
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.count("wrote ") == 1                  # rank 0 alone reports and writes
    from axx.apps.explore import main
    code = _one_thread(lambda: main([str(a) for a in ["--out", tmp_path / "one", *args]]))
    assert code == 0
    one = json.loads((tmp_path / "one" / "explore.json").read_text())
    two = json.loads((tmp_path / "two" / "explore.json").read_text())
    assert two == one and one["evaluations"] == 6
    assert (tmp_path / "two" / "report.md").exists() and (tmp_path / "two" / "explore.png").exists()


if __name__ == "__main__":               # the torchrun worker
    result = run_all()
    rank = int(os.environ.get("RANK", "0"))
    out = Path(sys.argv[1])
    (out.parent / f"seen{rank}.json").write_text(json.dumps(SEEN[0]))
    if rank == 0:
        out.write_text(json.dumps(result))
