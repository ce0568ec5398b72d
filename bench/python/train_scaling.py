#!/usr/bin/env python3
"""Data-parallel fine-tuning throughput of ViT-B/16 on 1 and 2 CUDA GPUs (``axx.apps.train.train_steps``).

    python3 bench/python/train_scaling.py [--batch-size 64] [--json train_scaling.json]

1. Runs ``torchrun --standalone --nproc_per_node N THIS_SCRIPT --worker ...`` for N = 1 and, when
   at least 2 GPUs are visible, N = 2 (``--procs`` to choose). One worker launch per N runs every
   configuration in turn, in one process group (as docs/distributed.md recommends).
2. Each configuration is timm's ``vit_base_patch16_224`` with random weights (seed 0) and 10
   classes, fine-tuned by the project's loop ``axx.apps.train.train_steps`` (AdamW, random flips,
   DistributedDataParallel under torchrun: NCCL on CUDA, gloo on CPU; the global batch split
   across the ranks by ``step_batches``, each rank's loss its share of the one-process mean) on
   synthetic seeded images held in memory. Configurations (``--configs``): ``float``; ``ste:TABLE``
   and ``lut:TABLE``, every product on TABLE (``axx.approximate(..., grad=...)``, ``max`` activation
   scales calibrated by rank 0 on one global batch and sent to every rank by ``train_steps``).
   TABLE ``noisy`` is the full-rank table of ``evaluate_scaling.py`` (``a*b`` plus seeded noise:
   table-lookup forward and, with ``lut``, the table-gradient kernels); ``mul8s_drum4`` is a
   low-rank built-in (exact rank 2: GEMMs forward and backward).
3. The data set is one global batch, so that every ``train_steps`` epoch is one step and its
   ``on_epoch`` hook (every rank, after the step's loss has been all-reduced and read) marks the
   step boundaries; the device is synchronised there. ``--warmup`` steps are not timed, the next
   ``--steps`` are; images/s = global batch x timed steps / the slowest rank's time.
   ``lut`` on a table without a low-rank form runs ~30 images/s on one H200, so it gets its own
   ``--lut-batch-size``, ``--lut-warmup`` and ``--lut-steps``.
4. Prints images/s, ms per step and the scaling efficiency ``ips(N) / (N * ips(1))``, and checks
   that the first step's loss (all-reduced over the ranks) of every N equals that of N = 1 to
   rtol 1e-5 (docs/distributed.md: the first step's gradient agrees to float rounding).

Exit status: 0 ok; 1 a loss that disagrees, a configuration or a launch that failed, timed out
(``--timeout`` seconds per launch) or was ended by SIGTERM (what was measured is still printed and
written to ``--json``), or bad ``--configs``; 2 a bad option (argparse). NCCL_NVLS_ENABLE=0 is set for
the workers unless the environment sets it. ``--device cpu --tiny`` runs the same steps on a CPU
machine (a 1-block ``vit_tiny`` at 32x32, gloo, 1 thread per process), as a check of the script.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MODEL = "vit_base_patch16_224"
CLASSES = 10
CONFIGS = "float,ste:noisy,lut:noisy,lut:mul8s_drum4"
RTOL = 1e-5


def _parse_configs(text: str) -> list[tuple[str, str | None]]:
    out = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        if item == "float":
            out.append(("float", None))
            continue
        grad, _, table = item.partition(":")
        if grad not in ("ste", "lut") or not table:
            raise SystemExit(f"train_scaling: --configs: '{item}' is not float, ste:TABLE or lut:TABLE")
        out.append((grad, table))
    if not out:
        raise SystemExit("train_scaling: --configs names no configuration")
    return out


def _label(grad: str, table: str | None) -> str:
    if table is None:
        return "float"
    return f"{grad}:{Path(table).stem if Path(table).suffix else table}"


# ---------------------------------------------------------------------------------------------
# The worker (one per rank, started by torchrun)


def worker(args) -> int:
    import torch
    import timm

    import axx
    from axx import distributed as axd
    from axx.apps.train import train_steps
    from axx.evaluate import load_multiplier

    if args.threads:
        torch.set_num_threads(args.threads)
    local_rank = int(os.environ.get("LOCAL_RANK", "0") or 0)
    if args.device == "cuda":
        if not torch.cuda.is_available() or not axx.cuda_available():
            print("train_scaling: no CUDA device, or this axx build has no CUDA kernels", file=sys.stderr)
            return 2
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    world = axd.init_from_env(device)      # one group for every configuration: train_steps joins it
    log = (lambda msg: print(msg, flush=True)) if world.is_main else (lambda msg: None)
    kwargs = json.loads(args.model_kwargs)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    info = {"world_size": world.size, "device": torch.cuda.get_device_name(device) if device.type == "cuda"
            else "CPU", "torch": torch.__version__, "model": args.model, "model_kwargs": kwargs, "image_size": None,
            "threads": torch.get_num_threads(), "complete": False, "configs": []}

    def write():      # after every configuration: a later crash or timeout keeps what was measured
        if world.is_main:
            tmp = Path(args.worker_json + ".tmp")
            tmp.write_text(json.dumps(info, indent=2) + "\n")
            os.replace(tmp, args.worker_json)

    def agree(failed: bool) -> bool:
        """Whether any rank failed; every rank calls it at the same point, so all skip alike."""
        return float(axd.all_reduce_max([1.0 if failed else 0.0], axd.collective_device(device))[0]) > 0

    for grad, table in _parse_configs(args.configs):
        name = _label(grad, table)
        entry: dict = {"config": name}
        model = images = labels = None
        failed = None
        try:
            t0 = time.perf_counter()
            m = load_multiplier(table) if table is not None else None
            slow = grad == "lut" and m is not None and m.rank is None
            batch = args.lut_batch_size if slow else args.batch_size
            warmup = args.lut_warmup if slow else args.warmup
            steps = args.lut_steps if slow else args.steps
            entry.update({"grad": None if m is None else grad, "multiplier": None if m is None else m.name,
                          "rank": None if m is None else m.rank,
                          "path": "float" if m is None else ("low-rank" if m.rank is not None else "table lookup"),
                          "global_batch": batch, "per_process_batch": math.ceil(batch / world.size),
                          "warmup_steps": warmup, "timed_steps": steps})
            torch.manual_seed(args.seed)
            model = timm.create_model(args.model, pretrained=False, num_classes=CLASSES, **kwargs).to(device)
            size = tuple(model.patch_embed.img_size)
            info["image_size"] = list(size)
            g = torch.Generator().manual_seed(args.seed + 1)
            images = torch.randn(batch, 3, *size, generator=g)
            labels = torch.randint(0, CLASSES, (batch,), generator=g)
            if m is not None:
                axx.approximate(model, m, grad=grad)
                model.to(device)
                if world.is_main:      # as python -m axx.train: rank 0 calibrates, train_steps sends the scales
                    axx.calibrate(model, [images], method="max", num_batches=1)
            sync()
            setup = time.perf_counter() - t0
        except Exception as e:      # noqa: BLE001 -- reported, and the next configuration runs
            failed = f"setup: {type(e).__name__}: {e}"
        if agree(failed is not None):
            entry["error"] = failed or "setup failed on another rank"
        else:
            marks: list[float] = []

            def on_epoch(_epoch):      # one epoch = one step (the data set is one global batch)
                sync()
                marks.append(time.perf_counter())

            try:
                axd.barrier()
                sync()
                start = time.perf_counter()
                losses = train_steps(model, images, labels, steps=warmup + steps, lr=args.lr, weight_decay=0.0,
                                     batch_size=batch, warmup=0, augment=True, seed=args.seed, progress=False,
                                     on_epoch=on_epoch)
                if len(marks) != warmup + steps:
                    raise RuntimeError(f"{len(marks)} step marks for {warmup + steps} steps")
            except Exception as e:      # noqa: BLE001 -- e.g. out of memory on every rank alike
                failed = f"training: {type(e).__name__}: {e}"
            if agree(failed is not None):
                entry["error"] = failed or "training failed on another rank"
            else:
                timed = marks[-1] - (marks[warmup - 1] if warmup else start)
                slowest = float(axd.all_reduce_max([timed], axd.collective_device(device))[0])
                ips = batch * steps / slowest
                step_s = [b - a for a, b in zip([start] + marks[:-1], marks)]
                entry.update({"timed_seconds": slowest, "images_per_second": ips, "step_ms": 1000.0 * slowest / steps,
                              "setup_seconds": setup, "first_step_seconds": step_s[0], "step_seconds_rank0": step_s,
                              "first_loss": losses[0], "losses": losses})
                log(f"  [{world.size} proc] {name:<18} batch {batch:3d}  {ips:8.1f} images/s  "
                    f"{1000.0 * slowest / steps:8.1f} ms/step  first loss {losses[0]:.6f}  (setup {setup:.1f} s, "
                    f"first step {step_s[0]:.1f} s)")
        if "error" in entry:
            print(f"  [{world.size} proc] {name:<18} FAILED on rank {world.rank}: {entry['error'][:500]}", flush=True)
        info["configs"].append(entry)
        write()
        del model, images, labels
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()
    info["complete"] = True
    write()
    return 0 if all("error" not in c for c in info["configs"]) else 1


# ---------------------------------------------------------------------------------------------
# The launcher


_running: subprocess.Popen | None = None


class _Terminated(Exception):
    """SIGTERM (`timeout`) or SIGINT: the workers are ended and what was measured is still written."""


def _kill_running():
    if _running is not None and _running.poll() is None:
        try:
            os.killpg(_running.pid, signal.SIGTERM)
            try:
                _running.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(_running.pid, signal.SIGKILL)
                _running.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


_stop = False


def _on_signal(signum, _frame):
    global _stop
    _stop = True
    if _running is not None:      # else between launches: the loop stops before the next one
        raise _Terminated(f"terminated by signal {signum}")


def run_workers(procs: int, out: Path, args, passthrough: list[str]) -> tuple[dict | None, str]:
    """One torchrun launch of ``procs`` workers: (rank 0's JSON, complete or partial, or None;
    why the launch failed, or "")."""
    global _running
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={procs}",
           str(Path(__file__).resolve()), "--worker", "--worker-json", str(out), *passthrough]
    env = dict(os.environ)
    env.setdefault("NCCL_NVLS_ENABLE", "0")
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    if out.exists():
        out.unlink()
    lines: list[str] = []

    def pump(stream):      # the workers' output, kept for a failure; their per-configuration lines shown
        for line in stream:
            lines.append(line)
            if line.startswith("  ["):
                print(line.rstrip(), flush=True)

    why = ""
    try:
        # its own session, so that ending it ends torchrun's workers too
        _running = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    start_new_session=True)
        reader = threading.Thread(target=pump, args=(_running.stdout,), daemon=True)
        reader.start()
        try:
            rc = _running.wait(args.timeout)
            reader.join(10)
            if rc != 0:
                why = f"torchrun exit status {rc}"
        except subprocess.TimeoutExpired:
            why = f"timed out after {args.timeout} s"
    except _Terminated as e:
        why = str(e)
    finally:
        _kill_running()
        _running = None
    result = None
    if out.exists():
        result = json.loads(out.read_text())
        if not why and not result.get("complete"):
            why = "the workers stopped before the last configuration"
    elif not why:
        why = "no result written"
    if why:
        sys.stdout.write("".join(lines[-60:]))
    return result, why


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--model-kwargs", default="{}", help="JSON: further timm.create_model arguments")
    ap.add_argument("--configs", default=CONFIGS,
                    help="comma-separated: float, ste:TABLE, lut:TABLE; TABLE a built-in name, a table file, or "
                         "'noisy' (a*b plus seeded noise, full rank) (default: %(default)s)")
    ap.add_argument("--batch-size", type=int, default=64, help="global batch (split across the processes)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    ap.add_argument("--steps", type=int, default=10, help="timed steps")
    ap.add_argument("--lut-batch-size", type=int, default=32,
                    help="global batch of lut:TABLE where TABLE has no low-rank form (table-gradient kernels)")
    ap.add_argument("--lut-warmup", type=int, default=3)
    ap.add_argument("--lut-steps", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads per process (0: torchrun's 1)")
    ap.add_argument("--procs", default="", help="comma-separated process counts (default: 1, and 2 with 2 GPUs)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per torchrun launch")
    ap.add_argument("--tiny", action="store_true",
                    help="1-block vit_tiny at 32x32, batch 8 (lut: 4), 1+2 steps, 1 thread: checks the script")
    ap.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "axx_train_scaling"))
    ap.add_argument("--json", default="", help="write the results here")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--worker-json", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.tiny:
        args.model = "vit_tiny_patch16_224"
        args.model_kwargs = json.dumps({"img_size": 32, "depth": 1, **json.loads(args.model_kwargs)})
        args.batch_size, args.lut_batch_size = 8, 4
        args.warmup = args.lut_warmup = 1
        args.steps = args.lut_steps = 2
        args.threads = args.threads or 1
    _parse_configs(args.configs)
    for name in ("batch_size", "lut_batch_size", "steps", "lut_steps"):
        if getattr(args, name) < 1:
            raise SystemExit(f"train_scaling: --{name.replace('_', '-')} must be at least 1")
    if args.worker:
        return worker(args)

    import torch
    import axx

    gpus = torch.cuda.device_count() if args.device == "cuda" else 0
    if args.device == "cuda" and (not gpus or not axx.cuda_available()):
        raise SystemExit("train_scaling: needs a CUDA GPU and an axx build with the CUDA kernels "
                         "(--device cpu --tiny checks the script on a CPU machine)")
    procs = sorted({int(p) for p in args.procs.split(",") if p.strip()}) if args.procs else \
        ([1, 2] if gpus >= 2 else [1])
    if 1 not in procs:
        procs = [1] + procs
    if args.device == "cuda":
        dropped = [p for p in procs if p > gpus]
        if dropped:
            print(f"train_scaling: {gpus} GPU(s) visible: skipping {dropped} processes", flush=True)
        procs = [p for p in procs if p <= gpus]
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _on_signal)

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    configs = _parse_configs(args.configs)
    if any(t == "noisy" for _, t in configs):
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from evaluate_scaling import write_noisy_table

        noisy = str(write_noisy_table(work / "noisy.json"))
        args.configs = ",".join("float" if t is None else f"{g}:{noisy if t == 'noisy' else t}" for g, t in configs)
    passthrough = ["--device", args.device, "--model", args.model, "--model-kwargs", args.model_kwargs,
                   "--configs", args.configs, "--batch-size", str(args.batch_size), "--warmup", str(args.warmup),
                   "--steps", str(args.steps), "--lut-batch-size", str(args.lut_batch_size),
                   "--lut-warmup", str(args.lut_warmup), "--lut-steps", str(args.lut_steps), "--lr", str(args.lr),
                   "--seed", str(args.seed), "--threads", str(args.threads)]
    device_name = torch.cuda.get_device_name(0) if args.device == "cuda" else "CPU"
    print(f"{args.model} {args.model_kwargs}; {gpus} GPU(s), running on {device_name}; torch {torch.__version__}; "
          f"processes {procs}; NCCL_NVLS_ENABLE={os.environ.get('NCCL_NVLS_ENABLE', '0')}", flush=True)

    runs: dict[int, dict] = {}
    errors: dict[int, str] = {}
    for n in procs:
        if _stop:
            errors[n] = "not run: terminated by a signal"
            continue
        t0 = time.perf_counter()
        r, why = run_workers(n, work / f"worker_{n}.json", args, passthrough)
        if why:
            errors[n] = why
            print(f"train_scaling: {n} process(es): {why}", file=sys.stderr, flush=True)
        if r is not None:
            r["wall_seconds"] = time.perf_counter() - t0
            runs[n] = r
            print(f"  {n} process(es): {r['wall_seconds']:.0f} s wall (launch, setup and the configurations)",
                  flush=True)
    return report(args, configs, procs, runs, errors, gpus, device_name, torch.__version__)


def report(args, configs, procs, runs, errors, gpus, device_name, torch_version) -> int:
    """The table, the first-step loss check and the JSON, from whatever the launches gave."""
    rows, ok = [], not errors
    print(f"\n{'config':<18} {'path':<12} {'batch':>5} {'proc':>4} {'images/s':>9} {'ms/step':>8} "
          f"{'efficiency':>10}  first-step loss")
    compared = 0
    for i, (grad, table) in enumerate(configs):
        got = {n: runs[n]["configs"][i] for n in procs if n in runs and i < len(runs[n]["configs"])}
        one = got.get(1)
        if one is not None and "error" in one:
            one = None
        for n, c in got.items():
            row = {"processes": n, **c, "config": _label(grad, table)}
            rows.append(row)
            if "error" in c:
                ok = False
                print(f"{row['config']:<18} {'':<12} {'':>5} {n:>4} FAILED: {c['error'][:200]}", flush=True)
                continue
            verdict = ""
            if n == 1:
                row["efficiency"] = 1.0
            elif one is None:
                row["efficiency"] = None
                verdict = "  (no 1-process result to compare)"
            else:
                row["efficiency"] = c["images_per_second"] / (n * one["images_per_second"])
                diff = abs(c["first_loss"] - one["first_loss"]) / max(abs(one["first_loss"]), 1e-30)
                same = math.isfinite(c["first_loss"]) and math.isclose(c["first_loss"], one["first_loss"],
                                                                       rel_tol=RTOL, abs_tol=0.0)
                row["first_loss_rel_diff"] = diff
                row["agrees_with_1"] = same
                ok &= same
                compared += 1
                verdict = (f"  = 1 proc (rel. diff {diff:.1e})" if same else
                           f"  DIFFERS from 1 proc ({one['first_loss']:.8f}, rel. diff {diff:.1e} > {RTOL:g})")
            eff = "-" if row["efficiency"] is None else f"{100 * row['efficiency']:.1f}%"
            print(f"{row['config']:<18} {c['path']:<12} {c['global_batch']:>5} {n:>4} {c['images_per_second']:>9.1f} "
                  f"{c['step_ms']:>8.1f} {eff:>10}  {c['first_loss']:.8f}{verdict}", flush=True)
    agree = all(r.get("agrees_with_1", True) for r in rows)
    if len(procs) > 1:
        print(f"first-step losses: {compared} comparison(s) of N > 1 with N = 1: " +
              ("none made" if not compared else "all equal to rtol 1e-5" if agree else "DISAGREE"))
    if errors:
        print("FAILED: " + "; ".join(f"{n} process(es): {why}" for n, why in errors.items()))
    if args.json:
        any_run = next(iter(runs.values()), {})
        Path(args.json).write_text(json.dumps({
            "model": args.model, "model_kwargs": json.loads(args.model_kwargs), "image_size": any_run.get("image_size"),
            "device": device_name, "gpus": gpus, "torch": torch_version, "procs": procs,
            "nccl_nvls_enable": os.environ.get("NCCL_NVLS_ENABLE", "0"), "rtol": RTOL, "ok": ok,
            "first_losses_agree": agree, "comparisons": compared,
            "errors": {str(n): why for n, why in errors.items()},
            "wall_seconds": {str(n): r["wall_seconds"] for n, r in runs.items()}, "rows": rows}, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
