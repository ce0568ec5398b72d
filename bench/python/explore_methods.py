#!/usr/bin/env python3
"""axx.explore's search methods compared at equal evaluation budgets.

    python bench/python/explore_methods.py --costs costs.json --out explore_bench [--task vit|mlp|cnn|all]
        [--evaluations 64] [--samples 1000] [--methods greedy,mcts,...] [--seeds 0]

Tasks:

* ``vit``: the bundled Fashion-MNIST ViT (34 products), ``--samples`` test images, calibration on
  4x500 training images;
* ``mlp``, ``cnn``, ``tfm``: small models trained here in seconds on synthetic tasks (a Gaussian
  mixture of 10 classes; noisy 1x12x12 images of 6 oriented-stripe classes; the most frequent of 4
  tokens in sequences of 16), evaluated on held-out examples -- models and tasks the search was not
  tuned on.

Every method runs on the same converted, calibrated model with the same candidates, costs and budget;
scores are memoised across methods (each method's own budget still counts every assignment it asks
for once). Reports per method: evaluations spent, hypervolume of the front above the exact int8
accuracy minus 5 points (energy reference 1.0), and the energy saved within 0.5, 1 and 2 points.
Writes OUT/TASK.json, OUT/TASK.png (the fronts) and prints a Markdown table.

Costs: a JSON ``{name: relative energy per multiply}`` (or ``axx cost --json`` records); without
``--costs``, ``Multiplier.cost()`` where this build has it.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import time
from pathlib import Path

import torch
from torch import nn

import axx

ex = importlib.import_module("axx.explore")   # the module (axx.explore is the function)
cli = importlib.import_module("axx.apps.explore")   # its command line: candidates, cost files


def _train(model, x, y, steps=400, lr=3e-3, seed=0):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        idx = torch.randint(0, len(x), (128,), generator=g)
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def _split(x, y, n_train, batch=500):
    tr = (x[:n_train], y[:n_train])
    te = [(x[i:i + batch], y[i:i + batch]) for i in range(n_train, len(x), batch)]
    calib = [(x[i:i + batch], y[i:i + batch]) for i in range(0, min(n_train, 2 * batch), batch)]
    return tr, te, calib


def task_mlp(args):
    g = torch.Generator().manual_seed(11)
    centers = torch.randn(10, 32, generator=g) * 0.5
    y = torch.randint(0, 10, (6000,), generator=g)
    x = centers[y] + torch.randn(6000, 32, generator=g)
    (xt, yt), test, calib = _split(x, y, 4000)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64),
                          nn.ReLU(), nn.Linear(64, 10))
    return _train(model, xt, yt), test, calib, "MLP 32-128-128-64-10, Gaussian mixture (2000 held-out examples)"


def task_cnn(args):
    g = torch.Generator().manual_seed(12)
    n = 5000
    y = torch.randint(0, 6, (n,), generator=g)
    ii, jj = torch.meshgrid(torch.arange(12.0), torch.arange(12.0), indexing="ij")
    angle = y.float() * math.pi / 6
    phase = torch.rand(n, generator=g) * 2 * math.pi
    x = torch.sin((ii * torch.cos(angle)[:, None, None] + jj * torch.sin(angle)[:, None, None]) * 1.3
                  + phase[:, None, None])
    x = (x + 2.5 * torch.randn(n, 12, 12, generator=g)).unsqueeze(1)
    (xt, yt), test, calib = _split(x, y, 3500)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1, stride=2),
                          nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1, stride=2), nn.ReLU(), nn.Flatten(),
                          nn.Linear(32 * 9, 6))
    return _train(model, xt, yt), test, calib, "CNN 3 conv + linear, oriented stripes 12x12 (1500 held-out examples)"


def task_vit(args):
    from axx.apps.data import batches, load_fashion_mnist
    from axx.apps.models import vit_fmnist

    x, y = load_fashion_mnist("test")
    xt, yt = load_fashion_mnist("train")
    x, y = x[:args.samples], y[:args.samples]
    g = torch.Generator().manual_seed(0)
    calib = list(batches(xt, yt, 500, shuffle=True, generator=g))[:4]
    return vit_fmnist(), list(batches(x, y, 500)), calib, f"bundled ViT, Fashion-MNIST ({len(x)} test images)"


class _Tfm(nn.Module):
    def __init__(self, vocab=8, dim=32, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(1, 16, dim) * 0.1)
        self.enc = nn.TransformerEncoderLayer(dim, 2, 64, dropout=0.0, batch_first=True)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        return self.head(self.enc(self.embed(x) + self.pos).mean(1))


def task_tfm(args):
    g = torch.Generator().manual_seed(13)
    x = torch.randint(0, 8, (6000, 16), generator=g)
    counts = torch.stack([(x == t).sum(1) for t in range(4)], 1).float()
    y = (counts + 0.1 * torch.arange(4)).argmax(1)           # the most frequent of tokens 0-3
    (xt, yt), test, calib = _split(x, y, 4000)
    torch.manual_seed(0)
    return (_train(_Tfm(), xt, yt, steps=600), test, calib,
            "transformer encoder layer (2 heads, dim 32), most frequent token (2000 held-out sequences)")


TASKS = {"vit": task_vit, "mlp": task_mlp, "cnn": task_cnn, "tfm": task_tfm}


def run_task(name, args, candidates, costs, out: Path) -> dict:
    model, data, calib, title = TASKS[name](args)
    space = ex._Space(model, data, candidates, costs=costs, need_costs=True, metric=None, calibration="percentile",
                      calibration_data=calib, calibration_batches=None)
    memo: dict = {}
    score = space.score

    def memo_score(key):
        if key not in memo:
            memo[key] = score(key)
        return memo[key]

    space.score = memo_score
    rows, fronts = [], {}
    for method in args.methods:
        for seed in args.seeds:
            t0 = time.time()
            res = ex._run(space, method, args.evaluations, seed, None, progress=True)
            row = {"method": method, "seed": seed, "evaluations": res.evaluations,
                   "reference_accuracy": res.reference_accuracy, "hypervolume": res.hypervolume(0.05),
                   "seconds": time.time() - t0, "front": [p.to_dict() for p in res.front]}
            for loss in (0.005, 0.01, 0.02):
                p = res.saving_within(loss)
                row[f"saved_{loss}"] = None if p is None else 1.0 - p.energy
                row[f"accuracy_{loss}"] = None if p is None else p.accuracy
            rows.append(row)
            fronts[(method, seed)] = res.front
            print(f"  {name} {method:<12} seed {seed}: hv {row['hypervolume']:.4f}, saved within 0.5/1/2 points "
                  + " / ".join("-" if row[f'saved_{l}'] is None else f"{100 * row[f'saved_{l}']:.1f}%"
                               for l in (0.005, 0.01, 0.02)) + f" ({row['seconds']:.0f} s)", flush=True)
    summary = {"task": name, "title": title, "products": len(space.products), "evaluations": args.evaluations,
               "candidates": space.costs, "layers": space.macs, "distinct_assignments_scored": len(memo),
               "rows": rows}
    (out / f"{name}.json").write_text(json.dumps(summary, indent=2))
    _plot(fronts, rows[0]["reference_accuracy"], title, out / f"{name}.png")
    return summary


def _plot(fronts, ref, title, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (method, seed), front in fronts.items():
        if seed != min(s for m, s in fronts if m == method):
            continue
        ax.step([p.energy for p in front], [100 * p.accuracy for p in front], where="post", marker="o", ms=3,
                label=method)
    ax.axhline(100 * ref, color="gray", ls="--", lw=1, label="exact int8")
    ax.set_ylim(100 * ref - 6, 100 * ref + 1)
    ax.set_xlabel("relative multiply energy (exact = 1)")
    ax.set_ylabel("accuracy %")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def markdown(summary) -> str:
    lines = [f"**{summary['title']}**: {summary['products']} products, {summary['evaluations']} evaluations per run, "
             f"exact int8 accuracy {100 * summary['rows'][0]['reference_accuracy']:.2f}%", "",
             "| method | seed | evaluations | hypervolume | saved <= 0.5 pt | saved <= 1 pt | saved <= 2 pt |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in summary["rows"]:
        cells = ["-" if r[f"saved_{l}"] is None else f"{100 * r[f'saved_{l}']:.1f}%" for l in (0.005, 0.01, 0.02)]
        lines.append(f"| {r['method']} | {r['seed']} | {r['evaluations']} | {r['hypervolume']:.4f} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--task", default="all", choices=["all", *TASKS])
    p.add_argument("--costs", default=None)
    p.add_argument("--candidates", default=",".join(cli.DEFAULT_CANDIDATES))
    p.add_argument("--evaluations", type=int, default=64)
    p.add_argument("--samples", type=int, default=1000)
    p.add_argument("--methods", default="hybrid,greedy,sensitivity,mcts,evolutionary,random")
    p.add_argument("--seeds", default="0")
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args(argv)
    args.methods = args.methods.split(",")
    args.seeds = [int(s) for s in args.seeds.split(",")]
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    candidates = [axx.Multiplier.builtin(n) for n in args.candidates.split(",")]
    costs = cli._load_costs(args.costs)
    tasks = list(TASKS) if args.task == "all" else [args.task]
    tables = []
    for t in tasks:
        tables.append(markdown(run_task(t, args, candidates, costs, out)))
        print(tables[-1], flush=True)
    (out / "summary.md").write_text("\n\n".join(tables) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
