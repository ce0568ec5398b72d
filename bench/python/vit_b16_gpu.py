#!/usr/bin/env python3
"""ViT-B/16 end to end on a CUDA GPU: images/s in float and through approximate multipliers.

    python bench/python/vit_b16_gpu.py [--batch 64] [--iters 5] [--train-batch 32] [--json vit_b16_gpu.json]
    python bench/python/vit_b16_gpu.py --smoke      # a tiny ViT on the CPU: checks the script runs
    python bench/python/vit_b16_gpu.py --profile    # where a training step's GPU time goes
    python bench/python/vit_b16_gpu.py --profile-inference  # where a forward pass's GPU time goes
    python bench/python/vit_b16_gpu.py --train-only # the training rows alone

timm's ``vit_base_patch16_224`` with random weights, batch 64, eval mode, no_grad. Configurations:

* ``float``        float32 eager (the baseline);
* ``int8_exact``   every product (patch conv, all Linear, Q·K^T, A·V) through mul8s_exact;
* ``lut_full``     a full-rank approximate table (default: the first built-in with no exact
                   low-rank form, e.g. DRUM/Mitchell) -- the table-lookup kernel;
* ``lowrank``      a table of exact rank <= 4 (default: the first such built-in, else a
                   constructed rank-2 table) -- R+1 exact GEMMs;
* ``transaxx``     the full-rank table through the TransAxx-design kernel (``path="baseline"``
                   on CUDA tensors).

Training rows (``--train-batch``, default 32; ``--train-batch 0`` skips them): full SGD steps
(forward, cross-entropy on random labels, backward, update) of a fresh model in train mode, in
images/s: ``train_float``; ``train_ste`` and ``train_lut`` with the full-rank table, backward
``grad="ste"`` (float GEMMs) and ``grad="lut"`` (the table-gradient kernels,
``torch.ops.axx.lut_grad_matmul``).

``--profile`` runs only the training rows' two approximate backwards under torch.profiler (one
warm-up step, then 2 profiled SGD steps each of ``train_ste`` and ``train_lut``) and prints, per
mode, the wall time per step, the GPU kernels' busy time, and the top 15 kernels and the top 15
operators by self CUDA time with their shares of the kernels' total (``--profile-rows``); the
tables go to the JSON file under ``profile``. With ``--smoke`` it profiles the CPU instead.

Activation scales come from one ``max`` calibration pass on the benchmark batch (calibration
runs in float); switching multipliers keeps them, so every configuration quantizes alike.
Prints images/s and ratios, writes them to the JSON file. Quick: a warm-up, a few timed
iterations each, torch.cuda.synchronize around them.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
import traceback

import torch


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(fn, x, warmup, iters):
    with torch.no_grad():
        for _ in range(warmup):
            fn(x)
        sync()
        t0 = time.perf_counter()
        for _ in range(iters):
            fn(x)
        sync()
    return (time.perf_counter() - t0) / iters


def timed_training(model, x, labels, warmup, iters):
    """Seconds per SGD step (forward, loss, backward, update)."""
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), labels)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    sync()
    t0 = time.perf_counter()
    for _ in range(iters):
        step()
    sync()
    return (time.perf_counter() - t0) / iters


def pick(axx, want_rank, override):
    if override:
        return axx.Multiplier.builtin(override)
    names = [info.name for info in axx.multipliers()]
    if want_rank == "full" and "mul8s_mitchell" in names:      # the classic full-rank design
        m = axx.Multiplier.builtin("mul8s_mitchell")
        if m.rank is None:
            return m
    for info in axx.multipliers():
        m = axx.Multiplier.builtin(info.name)
        if not m.is_signed or info.name.endswith("_exact"):
            continue
        r = m.rank
        if want_rank == "full" and r is None:
            return m
        if want_rank == "low" and r is not None and 1 <= r <= 4:
            return m
    if want_rank == "low":  # a constructed exact rank-2 table: a*b + u1[a]v1[b] + u2[a]v2[b]
        v = torch.arange(256) - 128
        e = ((v[:, None] >> 4) * (v[None, :] & 3)) + ((v[:, None] & 1) * (v[None, :] >> 5))
        t = torch.empty(256, 256, dtype=torch.int64)
        idx = v & 255
        t[idx[:, None], idx[None, :]] = v[:, None] * v[None, :] + e
        return axx.Multiplier.from_lut(t.to(torch.int32), name="rank2_constructed")
    g = torch.Generator().manual_seed(0)
    return axx.Multiplier.from_lut(torch.randint(-16384, 16384, (256, 256), generator=g, dtype=torch.int32),
                                   name="random_full_rank")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--full-rank", default=None, help="built-in name of the full-rank table")
    p.add_argument("--low-rank", default=None, help="built-in name of the low-rank table")
    p.add_argument("--train-batch", type=int, default=32, help="batch of the training rows (0: none)")
    p.add_argument("--train-iters", type=int, default=3)
    p.add_argument("--smoke", action="store_true",
                   help="a tiny ViT (32x32 images) on the CPU, batch 2, one iteration: checks the script runs")
    p.add_argument("--json", default="vit_b16_gpu.json")
    p.add_argument("--train-only", action="store_true",
                   help="skip the inference rows: only the training rows (train_float, train_ste, train_lut)")
    p.add_argument("--profile", action="store_true",
                   help="only profile 2 training steps each of train_ste and train_lut (torch.profiler)")
    p.add_argument("--profile-inference", action="store_true",
                   help="only profile 2 forward passes each of lut_full and transaxx (torch.profiler)")
    p.add_argument("--profile-rows", type=int, default=15)
    args = p.parse_args(argv)

    if args.smoke:
        args.batch, args.warmup, args.iters = 2, 0, 1
        args.train_batch, args.train_iters = min(args.train_batch, 2), 1
    elif not torch.cuda.is_available():
        print("vit_b16_gpu.py: no CUDA device; this benchmark runs on the GPU machine", file=sys.stderr)
        return 2
    import timm
    import axx

    if not args.smoke and not axx.cuda_available():
        print("vit_b16_gpu.py: this axx build has no CUDA kernels (axx.cuda_available() is False)", file=sys.stderr)
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cpu" if args.smoke else "cuda")
    arch, size = ("vit_tiny_patch16_224", 32) if args.smoke else ("vit_base_patch16_224", 224)

    def new_model():
        torch.manual_seed(0)
        kw = {"img_size": size} if args.smoke else {}
        return timm.create_model(arch, pretrained=False, **kw).to(dev).eval()

    if args.profile:
        return profile_training(args, axx, new_model, pick(axx, "full", args.full_rank), dev, size)
    if args.profile_inference:
        return profile_inference(args, axx, new_model, pick(axx, "full", args.full_rank), dev, size)

    model = new_model()
    x = torch.randn(args.batch, 3, size, size, device=dev)
    results = {"device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu", "torch": torch.__version__, "batch": args.batch,
               "iters": args.iters, "configs": {}, "skipped": {},
               "AXX_CUDA_GRAD_TILING": os.environ.get("AXX_CUDA_GRAD_TILING")}

    def record(name, seconds, note="", batch=None):
        ips = (batch or args.batch) / seconds
        results["configs"][name] = {"seconds_per_batch": seconds, "images_per_s": ips, "note": note,
                                    "batch": batch or args.batch}
        print(f"  {name:<12} {ips:9.1f} images/s  ({1000 * seconds:.1f} ms/batch) {note}", flush=True)

    tiling = os.environ.get("AXX_CUDA_GRAD_TILING")
    print(f"{arch}, batch {args.batch}, {results['device']}" + (f", AXX_CUDA_GRAD_TILING={tiling}" if tiling else ""))
    if args.train_only:
        full = pick(axx, "full", args.full_rank)
        if args.train_batch > 0:
            train(args, axx, new_model, full, dev, size, record, results["skipped"])
        return finish(args, results)
    record("float", timed(model, x, args.warmup, args.iters), "float32 eager")

    exact = axx.Multiplier.builtin("mul8s_exact")
    full = pick(axx, "full", args.full_rank)
    low = pick(axx, "low", args.low_rank)
    axx.approximate(model, exact)
    axx.calibrate(model, [x], method="max", num_batches=1)
    configs = [("int8_exact", exact), ("lut_full", full), ("lowrank", low)]
    for name, m in configs:
        try:
            axx.approximate(model, m)
            record(name, timed(model, x, args.warmup, args.iters), f"{m.name}, rank {m.rank if m.rank is not None else 'full'}")
        except Exception as e:  # keep going: report what failed
            results["skipped"][name] = f"{type(e).__name__}: {e}"
            print(f"  {name:<12} FAILED: {e}", flush=True)
            traceback.print_exc()

    # Path "baseline" on CUDA is the library's TransAxx-design kernel (global-memory table, one
    # output per thread): the same model through the peer's kernel design.
    saved = axx.ops.lut_matmul, axx.ops.lut_conv2d
    try:
        axx.ops.lut_matmul = functools.partial(saved[0], path="baseline")
        axx.ops.lut_conv2d = functools.partial(saved[1], path="baseline")
        axx.approximate(model, full)
        record("transaxx", timed(model, x, args.warmup, args.iters), f"{full.name} through path 'baseline'")
    except Exception as e:
        results["skipped"]["transaxx"] = f"{type(e).__name__}: {e}"
        print(f"  transaxx     FAILED: {e}")
    finally:
        axx.ops.lut_matmul, axx.ops.lut_conv2d = saved

    if args.train_batch > 0:
        train(args, axx, new_model, full, dev, size, record, results["skipped"])
    return finish(args, results)


def finish(args, results):
    """Ratios and goals printed, everything written to the JSON file."""
    c = {k: v["images_per_s"] for k, v in results["configs"].items()}
    ratios = {}
    for num, den in (("int8_exact", "float"), ("lowrank", "float"), ("lut_full", "float"), ("lut_full", "transaxx"),
                     ("train_ste", "train_float"), ("train_lut", "train_float"), ("train_lut", "train_ste")):
        if num in c and den in c:
            ratios[f"{num}/{den}"] = c[num] / c[den]
    results["ratios"] = ratios
    print("ratios: " + ", ".join(f"{k} = {v:.3f}" for k, v in ratios.items()))
    goals = []
    if "lowrank/float" in ratios:
        goals.append(f"low-rank >= 25% of float: {'yes' if ratios['lowrank/float'] >= 0.25 else 'NO'}")
    if "lut_full/transaxx" in ratios:
        goals.append(f"full-rank >= 2.3x TransAxx design: {'yes' if ratios['lut_full/transaxx'] >= 2.3 else 'NO'}")
    if "train_lut/train_ste" in ratios:
        goals.append(f"grad='lut' training >= 30% of STE: {'yes' if ratios['train_lut/train_ste'] >= 0.30 else 'NO'}")
    if goals:
        print("goals: " + "; ".join(goals))
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {args.json}")
    return 0


def train(args, axx, new_model, table, dev, size, record, skipped):
    """The training rows: images/s of SGD steps at --train-batch, float and both backwards."""
    bs = args.train_batch
    g = torch.Generator(device=dev).manual_seed(1)
    x = torch.randn(bs, 3, size, size, device=dev, generator=g)
    model = new_model()
    labels = torch.randint(0, model.num_classes, (bs,), device=dev, generator=g)
    warmup = min(args.warmup, 1)
    calibrated = False
    for mode in (None, "ste", "lut"):
        name = f"train_{mode or 'float'}"
        try:
            if mode is not None:
                axx.approximate(model, table, grad=mode)   # switches the backward of converted layers
                if not calibrated:
                    axx.calibrate(model, [x], method="max", num_batches=1)
                    calibrated = True
            note = "float32 eager" if mode is None else f"{table.name}, grad='{mode}'"
            record(name, timed_training(model, x, labels, warmup, args.train_iters), note + ", SGD step", batch=bs)
        except Exception as e:  # keep going: report what failed
            skipped[name] = f"{type(e).__name__}: {e}"
            print(f"  {name:<12} FAILED: {e}", flush=True)
            traceback.print_exc()

def _self_time(e, cuda):  # microseconds
    if not cuda:
        return e.self_cpu_time_total
    for attr in ("self_device_time_total", "self_cuda_time_total"):
        v = getattr(e, attr, None)
        if v is not None:
            return v
    return 0.0


def _profiled(fn, steps, cuda, rows, title):
    """Runs fn `steps` times under torch.profiler; prints the wall time, the GPU kernels' busy
    time and the top kernels and operators by self time; returns them as a dict."""
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    with profile(activities=activities) as prof:
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        sync()
        wall = (time.perf_counter() - t0) / steps
    events = prof.key_averages()
    kernels = [e for e in events if cuda and e.device_type == DeviceType.CUDA]
    ops = [e for e in events if e.device_type == DeviceType.CPU and _self_time(e, cuda) > 0]
    total = sum(_self_time(e, cuda) for e in (kernels if cuda else ops)) or 1.0
    per_step = total / steps / 1e3
    what = "GPU kernels" if cuda else "CPU operators (self time)"
    print(f"\n{title}: {1e3 * wall:.1f} ms/step wall, {per_step:.1f} ms/step of {what}")
    entry = {"wall_ms_per_step": 1e3 * wall, "busy_ms_per_step": per_step, "kernels": [], "ops": []}
    for name_, group, key in (("kernels", kernels, "kernels"), ("operators", ops, "ops")):
        if not group:
            continue
        print(f"  top {rows} {name_} by self {'CUDA' if cuda else 'CPU'} time (ms/step, share, calls/step):")
        for e in sorted(group, key=lambda e: _self_time(e, cuda), reverse=True)[:rows]:
            t = _self_time(e, cuda)
            name = e.key if len(e.key) <= 100 else e.key[:97] + "..."
            print(f"    {t / steps / 1e3:8.2f} {100 * t / total:5.1f}%  {e.count / steps:6.0f}  {name}")
            entry[key].append({"name": e.key, "ms_per_step": t / steps / 1e3, "share": t / total,
                               "calls_per_step": e.count / steps})
    return entry


def profile_training(args, axx, new_model, table, dev, size):
    """--profile: 2 SGD steps per approximate backward under torch.profiler; prints where the GPU
    time goes (kernels, and the operators that launched them)."""
    bs = args.train_batch or 32
    g = torch.Generator(device=dev).manual_seed(1)
    x = torch.randn(bs, 3, size, size, device=dev, generator=g)
    model = new_model()
    labels = torch.randint(0, model.num_classes, (bs,), device=dev, generator=g)
    axx.approximate(model, table, grad="ste")
    axx.calibrate(model, [x], method="max", num_batches=1)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(x), labels).backward()
        opt.step()

    cuda = dev.type == "cuda"
    out = {"device": torch.cuda.get_device_name() if cuda else "cpu", "batch": bs, "table": table.name,
           "steps": 2, "modes": {}}
    for mode in ("ste", "lut"):
        axx.approximate(model, table, grad=mode)
        step()
        sync()
        out["modes"][f"train_{mode}"] = _profiled(step, 2, cuda, args.profile_rows,
                                                  f"train_{mode} ({table.name}, batch {bs}, profiled)")
    modes = out["modes"]
    if "train_ste" in modes and "train_lut" in modes:
        r = modes["train_ste"]["wall_ms_per_step"] / modes["train_lut"]["wall_ms_per_step"]
        print(f"\nprofiled train_lut/train_ste (images/s) = {r:.3f}")
    with open(args.json, "w") as f:
        json.dump({"profile": out}, f, indent=2)
    print(f"wrote {args.json}")
    return 0


def profile_inference(args, axx, new_model, table, dev, size):
    """--profile-inference: 2 forward passes (eval, no_grad) of lut_full and of transaxx under
    torch.profiler: how much of each is the table GEMM and how much the quantize / dequantize
    and float layers that both share."""
    model = new_model()
    x = torch.randn(args.batch, 3, size, size, device=dev)
    axx.approximate(model, table)
    axx.calibrate(model, [x], method="max", num_batches=1)
    cuda = dev.type == "cuda"
    out = {"device": torch.cuda.get_device_name() if cuda else "cpu", "batch": args.batch, "table": table.name,
           "steps": 2, "modes": {}}
    saved = axx.ops.lut_matmul, axx.ops.lut_conv2d
    try:
        for name, path in (("lut_full", None), ("transaxx", "baseline")):
            if path is not None:
                axx.ops.lut_matmul = functools.partial(saved[0], path=path)
                axx.ops.lut_conv2d = functools.partial(saved[1], path=path)

            def fwd():
                with torch.no_grad():
                    model(x)

            fwd()
            sync()
            out["modes"][name] = _profiled(fwd, 2, cuda, args.profile_rows,
                                           f"{name} ({table.name}, batch {args.batch}, forward, profiled)")
    finally:
        axx.ops.lut_matmul, axx.ops.lut_conv2d = saved
    with open(args.json, "w") as f:
        json.dump({"profile_inference": out}, f, indent=2)
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
