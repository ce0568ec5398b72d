"""Data-parallel fine-tuning (axx.apps.train) under torchrun: what equals one process.

* Each step's batch over the ranks is exactly the one-process batch (same samples, same flips),
  and the generator advances alike (``step_batches``, checked for several world sizes here).
* The first forward's logits of every rank equal, bit for bit, the rows of the one-process
  forward of the whole batch: the products are integer and every other operation is per sample.
* The gradient the optimizer sees equals the one-process gradient to float rounding: DDP adds
  the ranks' halves where one process reduces the whole batch at once.
* After N AdamW steps of a float model the losses and weights equal the one-process ones to float
  tolerance, except the attention's key bias: its true gradient is exactly zero (softmax ignores a
  shift), so its gradient is rounding noise, which AdamW normalises into steps of up to ``lr``.
  (In an approximate model a weight that rounding moves across an int8 rounding boundary changes
  integer products: the runs drift apart further; only the first step is compared there.)
* The ranks' replicas stay identical bit for bit, and the sharded ``evaluate`` counts exactly what
  one process counts on the same weights.

The module is also the torchrun worker (``python -m torch.distributed.run ... THIS_FILE OUT``).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import axx
from axx.apps.models import ViT
from axx.apps.train import _augment, evaluate, step_batches, train_steps

N, BATCH, STEPS, SEED = 49, 16, 8, 5        # 49 = 3 x 16 + 1: a last batch smaller than two ranks


def _setup():
    torch.manual_seed(0)
    model = ViT(depth=1, dim=32, heads=2, mlp_dim=64)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(N, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (N,), generator=g)
    axx.approximate(model, axx.Multiplier.builtin("mul8s_trunc6c"), grad="ste")
    axx.calibrate(model, [x[:32]], method="max")
    return model, x, y


def _first_logits(model, x, rank, size):
    _, mine, flip = next(step_batches(N, BATCH, torch.Generator().manual_seed(SEED), True, rank, size))
    with torch.no_grad():
        return model(_augment(x[mine], flip))


LR = 3e-3


def _train(model, x, y, steps):
    return train_steps(model, x, y, steps=steps, lr=LR, weight_decay=0.05, batch_size=BATCH, warmup=2,
                       augment=True, seed=SEED, progress=False)


def work(rank: int = 0, size: int = 1) -> dict:
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    model, x, y = _setup()
    logits = _first_logits(model, x, rank, size)
    grads = []

    def record(opt, args, kwargs):
        if not grads:
            grads.append([p.grad.clone() for g in opt.param_groups for p in g["params"]])

    hook = register_optimizer_step_pre_hook(record)
    try:
        losses = _train(model, x, y, 2)
    finally:
        hook.remove()
    acc = evaluate(model, x, y, batch_size=10)
    torch.manual_seed(0)
    float_model = ViT(depth=1, dim=32, heads=2, mlp_dim=64)
    float_losses = _train(float_model, x, y, STEPS)
    return {"state": model.state_dict(), "losses": losses, "logits": logits, "accuracy": acc,
            "grads": grads[0], "float_state": float_model.state_dict(), "float_losses": float_losses}


@pytest.mark.parametrize("size", [1, 2, 3, 5])
@pytest.mark.parametrize("n,batch", [(49, 16), (10, 4), (3, 8)])
def test_step_batches_split_the_one_process_batches(n, batch, size):
    one = list(step_batches(n, batch, torch.Generator().manual_seed(7), True))
    gens = [torch.Generator().manual_seed(7) for _ in range(size)]
    shards = [list(step_batches(n, batch, gens[r], True, r, size)) for r in range(size)]
    assert all(len(s) == len(one) for s in shards)
    for step, (idx, mine1, flip1) in enumerate(one):
        assert torch.equal(idx, mine1)
        together = torch.cat([shards[r][step][1] for r in range(size)])
        assert sorted(together.tolist()) == sorted(idx.tolist())          # none repeated, none dropped
        for r in range(size):
            g_idx, mine, flip = shards[r][step]
            assert torch.equal(g_idx, idx)
            assert torch.equal(mine, idx[r::size]) and torch.equal(flip, flip1[r::size])
    ref = torch.Generator().manual_seed(7)
    list(step_batches(n, batch, ref, True))
    assert all(torch.equal(g.get_state(), ref.get_state()) for g in gens)   # the next epoch's order too


def _torchrun(*args, nproc=2, timeout=240):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}"]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, env=env, timeout=timeout)


def test_two_processes_train_as_one(tmp_path):
    p = _torchrun(__file__, tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        one = work()
        # the sharded evaluation, in one process, on the weights the two processes reached
        model, x, y = _setup()
        model.load_state_dict(r0["state"])
        acc_of_two_weights = evaluate(model, x, y, batch_size=10)
    finally:
        torch.set_num_threads(threads)
    # 1. the first forward: exact, rank r's rows are rows r, r+2, ... of the whole batch
    assert torch.equal(r0["logits"], one["logits"][0::2]) and torch.equal(r1["logits"], one["logits"][1::2])
    # 2. the first step's gradient, averaged by DDP, is the one-process gradient
    assert len(r0["grads"]) == len(one["grads"]) > 10
    for g2, g1 in zip(r0["grads"], one["grads"]):
        torch.testing.assert_close(g2, g1, rtol=1e-5, atol=1e-7)
    # 3. replicas identical; the losses (all-reduced) identical on both ranks; the scales untouched
    for key in ("state", "float_state"):
        for k in r0[key]:
            assert torch.equal(r0[key][k], r1[key][k]), k
    assert r0["losses"] == r1["losses"] and r0["float_losses"] == r1["float_losses"]
    for k, v in one["state"].items():
        if k.endswith("_quantizer.scale"):
            assert torch.equal(r0["state"][k], v), k
    # 4. N steps of the float model (the last batch of each epoch holds 1 sample: rank 1 idles)
    assert len(r0["float_losses"]) == STEPS
    assert r0["float_losses"] == pytest.approx(one["float_losses"], rel=1e-5)
    dim = 32
    for k, v in one["float_state"].items():
        two = r0["float_state"][k]
        if k.endswith("attn.in_proj_bias"):
            key_bias = slice(dim, 2 * dim)
            assert (two[key_bias] - v[key_bias]).abs().max() <= LR * STEPS
            two, v = torch.cat([two[:dim], two[2 * dim:]]), torch.cat([v[:dim], v[2 * dim:]])
        torch.testing.assert_close(two, v, rtol=1e-4, atol=1e-5, msg=k)
    torch.manual_seed(0)
    init = ViT(depth=1, dim=32, heads=2, mlp_dim=64).state_dict()
    assert max(float((one["float_state"][k] - v).abs().max()) for k, v in init.items()) > 1e-3   # it trained
    # 5. the sharded evaluation counts what one process counts
    assert r0["accuracy"] == r1["accuracy"] == acc_of_two_weights


@pytest.mark.skipif(not __import__("axx.apps.data", fromlist=["x"]).FASHION_MNIST_DIR.exists(),
                    reason="Fashion-MNIST not installed")
def test_command_line_fine_tunes_under_torchrun(tmp_path):
    """`torchrun -m axx.train --multiplier ...`: one report and one checkpoint, written by rank 0,
    with rank 0's calibration and the one-process accuracy before fine-tuning."""
    from axx.apps.train import main

    args = ["--multiplier", "mul8s_trunc8c", "--steps", 3, "--batch-size", 16, "--limit", 64, "--calib-batches", 1,
            "--threads", 1, "--no-progress"]
    p = _torchrun("-m", "axx.train", *args, "--out", tmp_path / "two.pt")
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.count("saved ") == 1 and p.stdout.count("before fine-tuning") == 1
    threads = torch.get_num_threads()
    try:
        assert main([str(a) for a in [*args, "--out", tmp_path / "one.pt"]]) == 0
    finally:
        torch.set_num_threads(threads)
    one = torch.load(tmp_path / "one.pt", weights_only=True)
    two = torch.load(tmp_path / "two.pt", weights_only=True)
    assert (one["world_size"], two["world_size"]) == (1, 2) and two["multiplier"] == "mul8s_trunc8c"
    assert two["accuracy_before"] == one["accuracy_before"]
    for k, v in one["model"].items():
        if k.endswith("_quantizer.scale"):
            assert torch.equal(two["model"][k], v), k
    assert two["loss_last"] == pytest.approx(one["loss_last"], rel=1e-5)


if __name__ == "__main__":               # the torchrun worker
    from axx import distributed as axd

    world = axd.init_from_env("cpu")
    result = work(world.rank, world.size)
    torch.save(result, Path(sys.argv[1]) / f"rank{world.rank}.pt")
