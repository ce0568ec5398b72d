"""``python -m axx.explore``: the command line of :func:`axx.explore` (an application of the
library, docs/explore.md): the bundled Fashion-MNIST ViT or a timm model, a list of built-in
candidates, and the JSON, plot and Markdown report it writes.

Data-parallel under ``torchrun --nproc_per_node N -m axx.explore ...``: every evaluation is
spread over the processes by batch and the front is the one of one process; rank 0 writes the
files and prints (docs/distributed.md)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping

import torch

from .._C import UsageError
from .._multiplier import Multiplier
from ..evaluate import parse_model_kwargs
from ..explore import METHODS, Explored, explore

# ------------------------------------------------------------------------------------------------
# Command line: python -m axx.explore

# A spread of signed built-ins from exact to coarse, one or two per family.
DEFAULT_CANDIDATES = ("mul8s_exact", "mul8s_trunc4c", "mul8s_trunc6c", "mul8s_trunc8c", "mul8s_bam_h1v6",
                      "mul8s_bam_h2v8", "mul8s_perf2", "mul8s_perf3", "mul8s_lor6", "mul8s_etm3", "mul8s_ssm5",
                      "mul8s_drum4")


def _load_costs(path) -> dict | None:
    """``{name: power_rel}`` from a JSON file: a mapping, or `axx cost --json` records (a list or one)."""
    if path is None:
        return None
    raw = json.loads(Path(path).read_text())
    if isinstance(raw, Mapping) and all(isinstance(v, (int, float)) for v in raw.values()):
        return {k: float(v) for k, v in raw.items()}
    records = raw if isinstance(raw, list) else raw.get("results", raw.get("designs", [raw]))
    out = {}
    for r in records:
        if isinstance(r, Mapping) and "name" in r and "power_rel" in r:
            out[str(r["name"]).removeprefix("builtin:")] = float(r["power_rel"])
    if not out:
        raise UsageError(f"{path}: no costs found (expected {{name: power_rel}} or axx cost --json records)")
    return out


def _bundled_vit(args):
    from .data import batches, load_fashion_mnist
    from .models import vit_fmnist

    model = vit_fmnist(checkpoint=args.checkpoint)
    x, y = load_fashion_mnist("test", args.data)
    xt, yt = load_fashion_mnist("train", args.data)
    if args.samples:
        x, y = x[:args.samples], y[:args.samples]
    g = torch.Generator().manual_seed(0)
    calib = list(batches(xt, yt, args.batch_size, shuffle=True, generator=g))[:args.calib_batches]
    return model, list(batches(x, y, args.batch_size)), calib, f"bundled ViT, Fashion-MNIST ({len(x)} test images)"


def _timm_model(args):
    import timm

    kwargs = parse_model_kwargs(args.model_kwargs)
    model = timm.create_model(args.timm, pretrained=False, checkpoint_path=args.checkpoint or "", **kwargs).eval()
    if not args.dataset:
        raise UsageError("explore: --timm needs --dataset FILE.pt holding (inputs, targets) tensors")
    obj = torch.load(args.dataset, map_location="cpu", weights_only=True)
    x, y = (obj["inputs"], obj["targets"]) if isinstance(obj, Mapping) else obj
    if args.samples:
        x, y = x[:args.samples], y[:args.samples]
    data = [(x[i:i + args.batch_size], y[i:i + args.batch_size]) for i in range(0, len(x), args.batch_size)]
    return model, data, data[:args.calib_batches], f"timm {args.timm} ({len(x)} examples)"


def write_report(out: Path, res: Explored, title: str, extra: str = "") -> Path:
    """OUT/explore.json, OUT/explore.png and OUT/report.md."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res.to_json(out / "explore.json")
    res.plot(out / "explore.png", title=title)
    ref = res.reference_accuracy
    lines = [f"# axx.explore: {title}", "",
             f"Method `{res.method}`, {res.evaluations} evaluations, {len(res.layers)} products, "
             f"{sum(res.layers.values()):,.0f} multiplies per example. Exact int8 accuracy "
             f"**{100 * ref:.2f}%**.", ""]
    if extra:
        lines += [extra, ""]
    lines += ["| accuracy loss at most | lowest energy | energy saved | accuracy |", "| ---: | ---: | ---: | ---: |"]
    for loss in (0.005, 0.01, 0.02):
        p = res.saving_within(loss)
        if p is not None:
            lines.append(f"| {100 * loss:.1f} points | {p.energy:.3f} | {100 * (1 - p.energy):.1f}% | "
                         f"{100 * p.accuracy:.2f}% |")
    lines += ["", "## Pareto front", "", "| energy | accuracy % | multipliers (products) |", "| ---: | ---: | --- |"]
    for p in res.front:
        counts: dict[str, int] = {}
        for n in p.assignment.values():
            counts[n] = counts.get(n, 0) + 1
        lines.append(f"| {p.energy:.3f} | {100 * p.accuracy:.2f} | "
                     + ", ".join(f"{n} x{c}" for n, c in sorted(counts.items(), key=lambda t: -t[1])) + " |")
    lines += ["", "![accuracy vs energy](explore.png)", "", "## Candidates", "", "| multiplier | relative energy |",
              "| --- | ---: |"]
    lines += [f"| {n} | {c:.3f} |" for n, c in sorted(res.costs.items(), key=lambda t: -t[1])]
    lines += ["", "## Products", "", "| product | MACs per example | share |", "| --- | ---: | ---: |"]
    total = sum(res.layers.values())
    lines += [f"| {p} | {m:,.0f} | {100 * m / total:.1f}% |" for p, m in res.layers.items()]
    lines += ["", "Every assignment of the front is in explore.json (`front[i].assignment`).", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines))
    return path


def main(argv=None) -> int:
    import argparse
    import sys
    import time

    p = argparse.ArgumentParser(prog="python -m axx.explore",
                                description="Search one multiplier per product for the accuracy/energy front.")
    p.add_argument("--out", required=True, help="output folder (explore.json, explore.png, report.md)")
    p.add_argument("--candidates", default=",".join(DEFAULT_CANDIDATES),
                   help="comma-separated built-in names (default: a spread of signed built-ins)")
    p.add_argument("--costs", default=None,
                   help="JSON file {name: relative energy} or `axx cost --json` output (default: Multiplier.cost())")
    p.add_argument("--evaluations", type=int, default=64)
    p.add_argument("--method", default="auto", choices=METHODS)
    p.add_argument("--energy-budget", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--samples", type=int, default=1000, help="evaluation examples (0: all)")
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--calib-batches", type=int, default=4)
    p.add_argument("--calibration", default="percentile", choices=["max", "percentile", "mse", "entropy"])
    p.add_argument("--checkpoint", default=None, help="model checkpoint (default: the shipped ViT)")
    p.add_argument("--data", default=None, help="folder with the Fashion-MNIST IDX files")
    p.add_argument("--timm", default=None, help="a timm model name instead of the bundled ViT")
    p.add_argument("--dataset", default=None, help="with --timm: a torch file with (inputs, targets)")
    p.add_argument("--model-kwargs", default="{}",
                   help="with --timm: JSON object of further timm.create_model arguments, e.g. '{\"img_size\": 32}'")
    p.add_argument("--device", choices=["cuda", "cpu"], default="cpu",
                   help="where the model runs (default cpu); under torchrun each process takes cuda:LOCAL_RANK")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads per process (0: torch's default)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    from .. import AxxError, cuda_available

    rank = int(os.environ.get("RANK", "0") or 0)
    prefix = f"[rank {rank}] " if int(os.environ.get("WORLD_SIZE", "1") or 1) > 1 else ""
    try:
        if args.threads:
            torch.set_num_threads(args.threads)
        device = torch.device(args.device)
        if device.type == "cuda":
            if not (torch.cuda.is_available() and cuda_available()):
                raise UsageError("--device cuda: torch sees no GPU or this axx build has no CUDA kernels")
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0") or 0))
        names = [n.strip() for n in args.candidates.split(",") if n.strip()]
        candidates = [Multiplier.builtin(n) for n in names]
        costs = _load_costs(args.costs)
        model, data, calib, title = _timm_model(args) if args.timm else _bundled_vit(args)
        model.to(device)
        t0 = time.time()
        res = explore(model, data, candidates, costs=costs, energy_budget=args.energy_budget, method=args.method,
                      evaluations=args.evaluations, seed=args.seed, calibration=args.calibration,
                      calibration_data=calib, calibration_batches=None, progress=not args.no_progress)
        seconds = time.time() - t0
        if rank != 0:
            return 0
        path = write_report(Path(args.out), res, title, f"Search time {seconds:.0f} s.")
    except AxxError as e:
        print(f"{prefix}python -m axx.explore: {e}", file=sys.stderr)
        return 1 if isinstance(e, UsageError) else 2
    except (OSError, ValueError) as e:      # missing data or checkpoint, malformed costs file
        print(f"{prefix}python -m axx.explore: {e}", file=sys.stderr)
        return 2
    for loss in (0.005, 0.01):
        pt = res.saving_within(loss)
        if pt is not None:
            print(f"within {100 * loss:.1f} points: energy {pt.energy:.3f} ({100 * (1 - pt.energy):.1f}% saved), "
                  f"accuracy {100 * pt.accuracy:.2f}% (exact {100 * res.reference_accuracy:.2f}%)")
    print(f"wrote {path}, {path.parent / 'explore.json'}, {path.parent / 'explore.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
