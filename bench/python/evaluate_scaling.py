#!/usr/bin/env python3
"""Data-parallel scaling of ``python -m axx.evaluate`` on CUDA GPUs (ViT-B/16).

    python bench/python/evaluate_scaling.py [--images 2048] [--batch-size 64] [--json scaling.json]

1. Writes a synthetic class-per-folder tree once (``--images`` random 224x224 PNGs in 10
   classes, under ``--work``, default a folder in the temp dir; reused when it is there) and
   random weights for timm's ``vit_base_patch16_224`` with 10 classes (seed 0).
2. Runs ``torchrun --standalone --nproc_per_node N -m axx.evaluate ... --device cuda`` for N = 1
   and, when at least 2 GPUs are visible, N = 2 (``--procs`` to choose), for a low-rank table
   (default ``mul8s_drum4``, rank 2; the exact low-rank path, R+1 exact GEMMs) and a full-rank table
   (default: ``a*b`` plus seeded noise on every entry, written as a JSON table; the table-lookup path).
3. Prints images/s (``images_per_second`` of the command's JSON: the evaluation loop only,
   after calibration and one warm-up batch, slowest rank), the scaling efficiency
   ``ips(N) / (N * ips(1))``, and checks that ``top1``, ``top5`` and ``samples`` of every N equal
   those of N = 1 (exit status 1 when they do not).

NCCL_NVLS_ENABLE=0 is set for the workers unless the environment sets it (docs/distributed.md).
``--device cpu --model vit_tiny_patch16_224 --model-kwargs '{"img_size": 32, "depth": 1}'
--image-size 32 --images 40 --procs 1,2 --threads 1`` runs the same steps on a CPU machine (gloo), as a check
of the script itself.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODEL = "vit_base_patch16_224"
CLASSES = 10


def make_tree(root: Path, images: int, size: int, seed: int = 0) -> Path:
    import numpy as np
    from PIL import Image

    marker = root / f".complete-{images}-{size}"
    if marker.exists():
        return root
    rng = np.random.default_rng(seed)
    for c in range(CLASSES):
        (root / f"class{c:02d}").mkdir(parents=True, exist_ok=True)
    for i in range(images):
        c = i % CLASSES
        img = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        Image.fromarray(img).save(root / f"class{c:02d}" / f"{i:05d}.png", compress_level=1)
    marker.write_text("ok\n")
    return root


def make_weights(path: Path, model_name: str, kwargs: dict) -> Path:
    if path.exists():
        return path
    import timm
    import torch

    torch.manual_seed(0)
    model = timm.create_model(model_name, pretrained=False, num_classes=CLASSES, **kwargs)
    tmp = path.with_suffix(".tmp")
    torch.save(model.state_dict(), tmp)
    os.replace(tmp, path)
    return path


def write_noisy_table(path: Path, seed: int = 0) -> Path:
    """A signed 8x8 table a*b + noise, as axx's own JSON (it carries its signedness)."""
    import numpy as np
    v = np.arange(256, dtype=np.int64)
    v = np.where(v >= 128, v - 256, v)
    noise = np.random.default_rng(seed).integers(-64, 65, size=(256, 256))
    table = np.outer(v, v) + noise
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"name": "noisy", "bits_a": 8, "bits_b": 8, "signed": True,
                                "table": table.tolist()}))
    return path


def run_eval(procs: int, multiplier: str, data: Path, weights: Path, out: Path, args) -> dict:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={procs}",
           "-m", "axx.evaluate", "--model", args.model, "--weights", str(weights), "--data", str(data),
           "--model-kwargs", args.model_kwargs,
           "--multiplier", multiplier, "--device", args.device, "--batch-size", str(args.batch_size),
           "--calibration", args.calibration, "--calibration-batches", str(args.calibration_batches),
           "--json", str(out), "--no-progress"]
    if args.workers >= 0:
        cmd += ["--workers", str(args.workers)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    env = dict(os.environ)
    env.setdefault("NCCL_NVLS_ENABLE", "0")
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-4000:] + p.stderr[-4000:])
        raise SystemExit(f"evaluate_scaling: {multiplier} on {procs} process(es) failed (status {p.returncode})")
    r = json.loads(out.read_text())
    r["wall_seconds"] = wall
    return r


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--model-kwargs", default="{}", help="JSON: further timm.create_model arguments")
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    ap.add_argument("--images", type=int, default=2048)
    ap.add_argument("--image-size", type=int, default=224)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--calibration", default="max")
    ap.add_argument("--calibration-batches", type=int, default=2)
    ap.add_argument("--workers", type=int, default=-1, help="DataLoader workers per process (-1: the command's default)")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads per process (0: the command's default)")
    ap.add_argument("--lowrank", default="mul8s_drum4")
    ap.add_argument("--fullrank", default="noisy",
                    help="a built-in name, a table file, or 'noisy': a*b plus seeded noise in [-64, 64] on "
                         "every entry (exact rank above 64, so the table-lookup path runs)")
    ap.add_argument("--procs", default="", help="comma-separated process counts (default: 1, and 2 with 2 GPUs)")
    ap.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "axx_evaluate_scaling"))
    ap.add_argument("--json", default="", help="write the table here")
    args = ap.parse_args(argv)

    import torch
    import axx

    gpus = torch.cuda.device_count()
    if args.device == "cuda" and (not gpus or not axx.cuda_available()):
        raise SystemExit("evaluate_scaling: needs a CUDA GPU and an axx build with the CUDA kernels")
    procs = [int(p) for p in args.procs.split(",")] if args.procs else ([1, 2] if gpus >= 2 else [1])
    if 1 not in procs:
        procs = [1] + procs
    if args.device == "cuda":
        procs = [p for p in procs if p <= gpus]
    kwargs = json.loads(args.model_kwargs)
    device_name = torch.cuda.get_device_name(0) if args.device == "cuda" else "CPU"
    work = Path(args.work)
    if args.fullrank == "noisy":
        args.fullrank = str(write_noisy_table(work / "noisy_signed8.json"))
    tables = []
    for name in (args.lowrank, args.fullrank):
        m = axx.Multiplier.from_file(name) if Path(name).suffix else axx.Multiplier.builtin(name)
        tables.append((name, "low-rank" if m.rank is not None else "full-rank", m.rank))
    t0 = time.perf_counter()
    data = make_tree(work / f"images{args.images}_{args.image_size}", args.images, args.image_size)
    tag = args.model + "".join(f"_{k}{v}" for k, v in sorted(kwargs.items()))
    weights = make_weights(work / f"{tag}_{CLASSES}.pth", args.model, kwargs)
    print(f"data {data} ({args.images} images), weights {weights} ({time.perf_counter() - t0:.0f} s); "
          f"{gpus} GPU(s), running on {device_name}; torch {torch.__version__}", flush=True)

    rows, ok = [], True
    for name, kind, rank in tables:
        one = None
        for n in procs:
            label = Path(name).stem if Path(name).suffix else name
            r = run_eval(n, name, data, weights, work / f"{label}_{n}.json", args)
            ips = r["images_per_second"]
            row = {"multiplier": label, "kind": kind, "rank": rank, "processes": n, "images_per_second": ips,
                   "top1": r["top1"], "top5": r["top5"], "samples": r["samples"], "seconds": r["seconds"],
                   "wall_seconds": r["wall_seconds"]}
            if one is None:
                one = row
                row["efficiency"] = 1.0
            else:
                row["efficiency"] = ips / (n * one["images_per_second"])
                same = all(row[k] == one[k] for k in ("top1", "top5", "samples"))
                row["agrees_with_1"] = same
                ok &= same
            rows.append(row)
            agree = "" if n == 1 else ("  same top1/top5/samples as 1" if row["agrees_with_1"] else "  DIFFERS from 1 process")
            print(f"{label:<16} {kind:<9} rank {str(rank):<4} {n} proc  {ips:9.1f} images/s  "
                  f"efficiency {100 * row['efficiency']:5.1f}%  top1 {r['top1']:.4f}  {r['samples']} images{agree}",
                  flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"model": args.model, "model_kwargs": kwargs, "images": args.images,
                                               "gpus": gpus, "device": device_name, "batch_size": args.batch_size,
                                               "rows": rows}, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
