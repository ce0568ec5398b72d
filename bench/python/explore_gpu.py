#!/usr/bin/env python3
"""Exploration speed on ViT-B/16 shapes: ``axx.explore`` evaluations per minute on a GPU.

    python bench/python/explore_gpu.py [--images 256] [--batch-size 64] [--evaluations 24] [--json explore_gpu.json]
    NCCL_NVLS_ENABLE=0 torchrun --standalone --nproc_per_node 2 bench/python/explore_gpu.py ...   # data-parallel
    python bench/python/explore_gpu.py --device cpu --tiny          # a check of the script on a CPU machine

timm's ``vit_base_patch16_224`` with random weights (seed 0), ``--images`` synthetic images (seeded
Gaussian noise) labelled by the float model's own top-1 on a perturbed copy, so the exact int8
reference is accurate but not perfect and the candidates' harm shows. Data and model are moved to
the device once (the images are evaluated many times). Candidates: a handful of built-ins (exact,
truncated, broken-array, DRUM, ...), costs from ``bench/python/explore_costs_power.json``.

Two timed runs of ``axx.explore`` (``--method``, default ``greedy``): one with a single evaluation
(setup: copy, conversion, calibration, MACs, the exact reference) and the full one. Reported:
``evaluations_per_minute`` = 60 x (E - 1) / (T_full - T_setup), the search rate once set up;
``evaluations_per_minute_overall`` = 60 x E / T_full; and the images per second that rate means.
Nothing is downloaded and no dataset is needed: torch, timm and the axx package only.
Under torchrun every evaluation is spread over the processes by batch (docs/distributed.md);
rank 0 prints and writes the JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

CANDIDATES = ("mul8s_trunc6c", "mul8s_trunc8c", "mul8s_bam_h2v8", "mul8s_drum4", "mul8s_perf2", "mul8s_lor6")
COSTS = Path(__file__).resolve().parent / "explore_costs_power.json"


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    p.add_argument("--model", default="vit_base_patch16_224")
    p.add_argument("--model-kwargs", default="{}", help="JSON of further timm.create_model arguments")
    p.add_argument("--images", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--candidates", default=",".join(CANDIDATES), help="comma-separated built-in names")
    p.add_argument("--costs", default=str(COSTS), help="JSON {name: relative energy} (default: %(default)s)")
    p.add_argument("--method", default="greedy")
    p.add_argument("--evaluations", type=int, default=24)
    p.add_argument("--calibration", default="max")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--label-noise", type=float, default=0.1,
                   help="labels: the float model's top-1 on the images plus this much Gaussian noise")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--tiny", action="store_true",
                   help="a 1-block vit_tiny at 32x32, 16 images, 4 evaluations, 3 candidates: checks the script")
    p.add_argument("--json", default="explore_gpu.json")
    args = p.parse_args(argv)

    import timm
    import axx
    from axx import distributed as axd

    kwargs = json.loads(args.model_kwargs)
    if args.tiny:
        args.model = "vit_tiny_patch16_224"
        kwargs = {"img_size": 32, "depth": 1, **kwargs}
        args.images, args.batch_size, args.evaluations = 16, 8, 4
        args.candidates = ",".join(CANDIDATES[:3])
    if args.threads:
        torch.set_num_threads(args.threads)
    local_rank = int(os.environ.get("LOCAL_RANK", "0") or 0)
    if args.device == "cuda":
        if not torch.cuda.is_available() or not axx.cuda_available():
            print("explore_gpu.py: no CUDA device, or this axx build has no CUDA kernels", file=sys.stderr)
            return 2
        torch.backends.cuda.matmul.allow_tf32 = False
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    world = axd.init_from_env(device)      # held for both runs: explore joins it
    log = print if world.is_main else (lambda *a, **k: None)

    torch.manual_seed(args.seed)
    model = timm.create_model(args.model, pretrained=False, **kwargs).to(device).eval()
    size = tuple(model.patch_embed.img_size)
    g = torch.Generator().manual_seed(args.seed + 1)
    x = torch.randn(args.images, 3, *size, generator=g)
    noise = args.label_noise * torch.randn(args.images, 3, *size, generator=g)
    with torch.no_grad():
        y = torch.cat([model((x[i:i + args.batch_size] + noise[i:i + args.batch_size]).to(device)).argmax(1).cpu()
                       for i in range(0, args.images, args.batch_size)])
    data = [(x[i:i + args.batch_size].to(device), y[i:i + args.batch_size].to(device))
            for i in range(0, args.images, args.batch_size)]
    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    cands = [axx.Multiplier.builtin(n) for n in names]
    costs = json.loads(Path(args.costs).read_text()) if args.costs else None

    def run(evaluations):
        _sync(device)
        axd.barrier()
        t0 = time.perf_counter()
        res = axx.explore(model, data, cands, costs=costs, method=args.method, evaluations=evaluations,
                          seed=args.seed, calibration=args.calibration, calibration_batches=2,
                          progress=world.is_main and sys.stderr.isatty())
        _sync(device)
        return res, time.perf_counter() - t0

    dev_name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    log(f"{args.model} {kwargs or ''}, {args.images} images of {size[0]}x{size[1]}, batch {args.batch_size}, "
        f"{world.size} process(es) on {dev_name}; candidates {', '.join(names)}", flush=True)
    _, t_setup = run(1)
    res, t_full = run(args.evaluations)
    e = res.evaluations
    rate = 60.0 * (e - 1) / (t_full - t_setup) if e > 1 and t_full > t_setup else None
    overall = 60.0 * e / t_full
    result = {
        "model": args.model, "model_kwargs": kwargs, "device": dev_name, "world_size": world.size,
        "torch": torch.__version__, "images": args.images, "batch_size": args.batch_size,
        "image_size": list(size), "method": args.method, "evaluations": e, "candidates": names,
        "candidate_rank": {m.name: m.rank for m in cands}, "products": len(res.layers),
        "setup_seconds": t_setup, "total_seconds": t_full, "evaluations_per_minute": rate,
        "evaluations_per_minute_overall": overall,
        "images_per_second": rate * args.images / 60.0 if rate else None,
        "label_noise": args.label_noise, "reference_accuracy": res.reference_accuracy, "front": [pt.to_dict() for pt in res.front],
    }
    log(f"{len(res.layers)} products; setup + 1 evaluation {t_setup:.1f} s; {e} evaluations in {t_full:.1f} s")
    if rate:
        log(f"evaluations/minute: {rate:.1f} after setup ({result['images_per_second']:.0f} images/s), "
            f"{overall:.1f} overall")
    log(f"exact int8 accuracy {100 * res.reference_accuracy:.2f}% (labels: the float model's); "
        f"front: {len(res.front)} points")
    if world.is_main:
        Path(args.json).write_text(json.dumps(result, indent=2))
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
