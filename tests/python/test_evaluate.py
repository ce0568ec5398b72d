"""axx.evaluate: the function, the command, its data-parallel mode and its errors.

A tiny timm ViT (2 blocks, 32x32 input, 4 classes) with weights the test writes, and a
generated class-per-folder tree of 40 small PNG images.
"""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import axx
from axx import distributed as axd

ev_mod = importlib.import_module("axx.evaluate")   # the module (axx.evaluate is the function)

timm = pytest.importorskip("timm")
PIL = pytest.importorskip("PIL.Image")

MODEL = "vit_tiny_patch16_224"
KWARGS = {"img_size": 32, "depth": 2, "num_classes": 4}
CLASSES = ("ant", "bee", "cat", "dog")
PER_CLASS = 10


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """4 class folders of 10 PNGs each, 40x36 pixels (not square: the transform resizes and
    crops); one stray non-image file that the reader must skip."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for c, name in enumerate(CLASSES):
        (root / name).mkdir()
        for i in range(PER_CLASS):
            img = rng.integers(0, 256, (36, 40, 3), dtype=np.uint8)
            img[..., c % 3] //= 4                       # a little class signal
            PIL.fromarray(img).save(root / name / f"{i:02d}.png")
    (root / "ant" / "notes.txt").write_text("not an image")
    return root


def _model(seed: int = 0, **over):
    torch.manual_seed(seed)
    return timm.create_model(MODEL, pretrained=False, **{**KWARGS, **over}).eval()


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("weights") / "vit_tiny.pth"
    torch.save(_model().state_dict(), path)
    return path


def _cli(*args, nproc: int = 0, timeout: int = 240):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    if nproc:
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
               "-m", "axx.evaluate"]
    else:
        cmd = [sys.executable, "-m", "axx.evaluate"]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def _common(tree, weights):
    return ["--model", MODEL, "--weights", weights, "--data", tree, "--model-kwargs",
            json.dumps({k: v for k, v in KWARGS.items() if k != "num_classes"}), "--device", "cpu",
            "--batch-size", 8, "--calibration-batches", 2]


def _main(capsys, *args):
    """The command in this process: (exit status, stdout, stderr)."""
    code = ev_mod.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _reference(tree, multiplier, **kw):
    """One process, one torch thread (as each torchrun worker runs)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        model = _model()
        return axx.evaluate(model, tree, multiplier, batch_size=8, calibration_batches=2, device="cpu",
                            progress=False, **kw)
    finally:
        torch.set_num_threads(threads)


# --- sharding -------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 7, 40, 41])
@pytest.mark.parametrize("size", [1, 2, 3, 8])
def test_shards_partition_without_padding(n, size):
    shards = [axd.shard_indices(n, r, size) for r in range(size)]
    flat = [i for s in shards for i in s]
    assert sorted(flat) == list(range(n))            # every index once: none repeated, none dropped
    assert max(map(len, shards)) - min(map(len, shards)) <= 1
    with pytest.raises(ValueError):
        axd.shard_indices(n, size, size)


def test_single_process_world():
    world = axd.init_from_env("cpu")
    assert (world.rank, world.size, world.distributed) == (0, 1, False)
    assert axd.all_reduce_sum([1.0, 2.0]).tolist() == [1.0, 2.0]


# --- data ------------------------------------------------------------------------------------


def test_image_folder_lists_like_torchvision(tree):
    tv = pytest.importorskip("torchvision.datasets")
    ours = ev_mod.ImageFolder(tree)
    theirs = tv.ImageFolder(str(tree))
    assert ours.classes == theirs.classes == list(CLASSES)
    assert ours.samples == theirs.samples
    assert len(ours) == len(CLASSES) * PER_CLASS


def test_pil_transform_equals_timm_transform(tree):
    pytest.importorskip("torchvision")
    from timm.data import create_transform

    for over in ({}, {"img_size": 48}):
        cfg = ev_mod.data_config(_model(**over))
        assert cfg["input_size"][1:] == ((48, 48) if over else (32, 32))
        ours, theirs = ev_mod.PilEvalTransform(cfg), create_transform(**cfg, is_training=False)
        for name in ("ant/00.png", "dog/09.png"):
            img = PIL.open(tree / name).convert("RGB")
            a, b = ours(img), theirs(img)
            assert a.shape == b.shape == (3, *cfg["input_size"][1:])
            torch.testing.assert_close(a, b, rtol=0, atol=1e-6)


def test_without_torchvision_the_pil_transform_is_used(tree, monkeypatch):
    """timm's transforms import torchvision; when they cannot be imported the PIL + torch
    transform with the config read off the model gives the same tensors."""
    pytest.importorskip("torchvision")
    from timm.data import create_transform

    model = _model()
    expected = create_transform(**ev_mod.data_config(model), is_training=False)
    monkeypatch.setitem(sys.modules, "timm.data", None)          # import timm.data -> ImportError
    t = ev_mod.eval_transform(model)
    assert isinstance(t, ev_mod.PilEvalTransform)
    img = PIL.open(tree / "bee/03.png").convert("RGB")
    torch.testing.assert_close(t(img), expected(img), rtol=0, atol=1e-6)


# --- the function -----------------------------------------------------------------------------


def _plain_accuracy(model, tree):
    """Top-1/top-5 counts by a loop over the folder in its own order, one image at a time."""
    ds = ev_mod.ImageFolder(tree, ev_mod.eval_transform(model))
    c1 = c5 = 0
    with torch.no_grad():
        for i in range(len(ds)):
            x, y = ds[i]
            top = model(x[None]).topk(4, dim=1).indices[0].tolist()
            c1 += top[0] == y
            c5 += y in top
    return c1, c5, len(ds)


def test_float_and_exact_baselines_match_plain_loops(tree):
    r = _reference(tree, "mul8s_exact", baselines=True)
    f = r["baselines"]["float"]
    assert (f["correct_top1"], f["correct_top5"], f["samples"]) == _plain_accuracy(_model(), tree)
    assert f["topk"] == 4                              # fewer classes than 5
    assert f["correct_top5"] == 40                     # top-4 of 4 classes always hits
    # The int8-exact baseline is the model with the exact table in every product.
    e = r["baselines"]["int8_exact"]
    assert (e["correct_top1"], e["correct_top5"], e["samples"]) == (r["correct_top1"], r["correct_top5"], 40)
    assert r["approximate_products"] == 2 * 6 + 2      # per block qkv, proj, 2 matmuls, fc1, fc2; patch conv, head
    assert r["calibration"] == "percentile" and r["calibration_images"] == 16
    assert 0 <= r["top1"] <= 1 and r["top1"] == r["correct_top1"] / 40
    assert r["images_per_second"] > 0 and r["world_size"] == 1


def test_limit_and_dataset_input(tree):
    model = _model()
    ds = ev_mod.ImageFolder(tree, ev_mod.eval_transform(model))
    r = axx.evaluate(model, ds, None, limit=10, batch_size=4, device="cpu", progress=False)
    assert r["samples"] == 10 and r["approximate_products"] == 0 and r["calibration"] is None
    order = ev_mod.evaluation_order(40, 10)
    assert len(set(order)) == 10 and len({ds.targets[i] for i in order}) > 1   # spread over classes


def test_labels_beyond_the_model_outputs(tree):
    with pytest.raises(axx.InputError, match="class index 3 but the model has 3 outputs"):
        axx.evaluate(_model(num_classes=3), tree, None, device="cpu", progress=False)
    # Any module and dataset: the labels are checked against the logits' width per batch.
    data = torch.utils.data.TensorDataset(torch.randn(6, 12), torch.tensor([0, 1, 2, 0, 1, 5]))
    with pytest.raises(axx.InputError, match="class index 5 but the model has 3 outputs"):
        axx.evaluate(torch.nn.Linear(12, 3), data, "mul8s_exact", batch_size=3, device="cpu", progress=False)


def test_any_module_and_dataset():
    """A plain Linear classifier on a tensor dataset: the batched, permuted loop counts what one
    forward of all samples through the converted model gives."""
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(20, 12, generator=g), torch.randint(0, 2, (20,), generator=g)
    model = torch.nn.Sequential(torch.nn.Linear(12, 2))     # converted in place
    r = axx.evaluate(model, torch.utils.data.TensorDataset(x, y), "mul8s_exact", batch_size=5, calibration="max",
                     calibration_batches=4, device="cpu", progress=False)
    assert r["topk"] == 2 and r["samples"] == 20 and r["top5"] == 1.0 and r["calibration_images"] == 20
    with torch.no_grad():
        assert isinstance(model[0], axx.nn.ApproxLinear)
        logits = model(x)                               # all 20 at once, int8 exact products
    assert r["correct_top1"] == int((logits.argmax(1) == y).sum())
    # A bare Linear is replaced rather than converted in place: still evaluated approximate.
    bare = axx.evaluate(torch.nn.Linear(12, 2), torch.utils.data.TensorDataset(x, y), "mul8s_exact",
                        batch_size=5, device="cpu", progress=False)
    assert bare["approximate_products"] == 1 and bare["calibration_images"] == 20


# --- data-parallel ----------------------------------------------------------------------------


def test_two_processes_equal_one(tree, weights, tmp_path):
    """torchrun with 2 gloo processes gives the counts of one process (the in-process function)."""
    ref = _reference(tree, "mul8s_trunc6c" if "mul8s_trunc6c" in {m.name for m in axx.multipliers()}
                     else "mul8s_exact")
    out = tmp_path / "two.json"
    p = _cli(*_common(tree, weights), "--multiplier", ref["multiplier"], "--json", out, nproc=2)
    assert p.returncode == 0, p.stderr[-3000:]
    two = json.loads(out.read_text())
    assert two["world_size"] == 2
    for key in ("top1", "top5", "samples", "correct_top1", "correct_top5", "calibration_images"):
        assert two[key] == ref[key], key
    assert two["samples"] == 40


# --- the command ------------------------------------------------------------------------------


def test_cli_json_and_map(tree, weights, tmp_path, capsys):
    m = tmp_path / "map.json"
    m.write_text(json.dumps({"assignment": {"*": "mul8s_exact", "head": None}}))
    out = tmp_path / "r.json"
    code, stdout, err = _main(capsys, *_common(tree, weights), "--map", m, "--limit", 12, "--json", out,
                              "--no-progress")
    assert code == 0, err
    r = json.loads(out.read_text())
    assert r["samples"] == 12 and 0 <= r["top1"] <= r["top5"] <= 1
    assert r["approximate_products"] == 13 and r["multiplier"] == {"*": "mul8s_exact", "head": None}
    assert "top-1" in stdout and r["images_per_second"] > 0


def test_cli_errors(tree, weights, tmp_path, capsys):
    common = _common(tree, weights)

    def run(*args):
        return _main(capsys, *args, "--multiplier", "mul8s_exact")

    code, _, err = run(*common[:2], "--weights", tmp_path / "nope.pth", *common[4:])
    assert code == 2 and "nope.pth: weights file not found" in err, err

    deeper = tmp_path / "deeper.safetensors"
    from safetensors.torch import save_file
    save_file(_model(depth=3).state_dict(), str(deeper))
    code, _, err = run(*common[:2], "--weights", deeper, *common[4:])
    assert code == 2 and "deeper.safetensors" in err and "unexpected keys: blocks.2." in err, err

    partial = tmp_path / "partial.pth"
    sd = _model().state_dict()
    del sd["head.weight"]
    torch.save({"state_dict": sd}, partial)
    code, _, err = run(*common[:2], "--weights", partial, *common[4:])
    assert code == 2 and "missing keys: head.weight" in err, err

    code, _, err = run(*common, "--num-classes", 5)
    assert code == 2 and "shape mismatches: head.weight (4, 192) (model (5, 192))" in err, err

    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(*common[:4], "--data", empty, *common[6:])
    assert code == 2 and "no class folders" in err, err
    (empty / "cls").mkdir()
    code, _, err = run(*common[:4], "--data", empty, *common[6:])
    assert code == 2 and "no images in class folder(s) cls" in err, err

    code, _, err = _main(capsys, *common, "--multiplier", "no_such_multiplier")
    assert code == 2 and "no_such_multiplier" in err, err
    code, _, err = _main(capsys, *common)
    assert code == 1 and "--multiplier" in err, err
    with pytest.raises(SystemExit) as e:
        ev_mod.main([*map(str, common), "--multiplier", "mul8s_exact", "--calibration", "nope"])
    assert e.value.code == 1
