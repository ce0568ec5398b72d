"""The `make demo` evaluation: every bundled multiplier on the shipped Fashion-MNIST ViT.

    python -m axx.demo --out demo_out

1. Loads the shipped ViT and the 10,000 Fashion-MNIST test images; float accuracy.
2. Loads every bundled multiplier: the built-ins (``axx.multipliers()``) and the source files
   in multipliers/src (netlists, behavioural Verilog, C) through ``Multiplier.from_file``.
   Sources that give the same table as another are reported together and evaluated once.
3. Approximates every product of the model (patch-embedding conv, all Linear layers, both
   attention matmuls), calibrates the activation scales on a few training batches, and
   measures int8 accuracy with the exact table and with every multiplier.
4. Fine-tunes (straight-through backward, a few hundred steps) the model under the
   multiplier that loses most, and reports the recovery.
5. Prints one table and writes OUT/report.md, OUT/results.json and the plots (report.py).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

from .. import AxxError, Multiplier, approximate, calibrate, multipliers
from .._progress import progress, progress_write
from .data import batches, load_fashion_mnist
from .models import vit_fmnist
from ..nn import approx_layers
from .report import format_table, write_report
from .train import evaluate, train_steps

EXACT = "mul8s_exact"


def _repo_root() -> Path:
    # python_bindings/axx/demo.py -> repository root (editable install or source checkout)
    return Path(__file__).resolve().parents[2]


def load_multipliers(src_dir: Path | None, log=print) -> list[dict]:
    """Every bundled multiplier, as ``{"multiplier", "sources"}`` with identical tables merged."""
    found: list[tuple[str, Multiplier]] = []
    for info in multipliers():
        found.append((f"builtin:{info.name}", Multiplier.builtin(info.name)))
    if src_dir is not None and src_dir.is_dir():
        for path in sorted(src_dir.iterdir()):
            if path.suffix not in (".blif", ".v", ".sv", ".c", ".cpp"):
                continue
            # C parameter types declare the signedness; netlists (BLIF, plain Verilog ports) may
            # not, so they get the library's naming convention, mul8u_* unsigned.
            signed = (None if path.suffix in (".c", ".cpp")
                      else not path.name.startswith("mul8u_"))
            t0 = time.perf_counter()
            label = f"{path.parent.name}/{path.name}"
            try:
                m = Multiplier.from_file(path, signed=signed)
            except AxxError as e:  # e.g. yosys or cc missing: that source is reported and skipped
                log(f"  {label}: FAILED, skipped ({type(e).__name__}: {e})")
                continue
            log(f"  {label}: {m.bits_a}x{m.bits_b} {'signed' if m.is_signed else 'unsigned'} table "
                f"in {1000 * (time.perf_counter() - t0):.0f} ms")
            found.append((label, m))
    merged: list[dict] = []
    for source, m in found:
        for entry in merged:
            first = entry["multiplier"]
            if first.is_signed == m.is_signed and torch.equal(first.lut, m.lut):
                entry["sources"].append(source)
                break
        else:
            merged.append({"multiplier": m, "sources": [source]})
    return merged


def _calibration_batches(x_train, y_train, n: int, batch_size: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    it = batches(x_train, y_train, batch_size, shuffle=True, generator=g)
    return [next(it) for _ in range(n)]


def run(args) -> dict:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.threads:
        torch.set_num_threads(args.threads)
    t_start = time.time()
    x_test, y_test = load_fashion_mnist("test", args.data)
    x_train, y_train = load_fashion_mnist("train", args.data)
    if args.limit:
        x_test, y_test = x_test[:args.limit], y_test[:args.limit]

    print(f"== multipliers (built-ins and {args.multipliers})")
    entries = load_multipliers(Path(args.multipliers), log=print)
    by_name = {e["multiplier"].name: e for e in entries}
    if EXACT not in by_name:
        raise SystemExit(f"axx.demo: the built-in {EXACT} is missing")
    print(f"  {len(entries)} distinct tables from "
          f"{sum(len(e['sources']) for e in entries)} sources")

    print(f"== float model ({len(x_test)} test images)")
    model = vit_fmnist(checkpoint=args.checkpoint)
    float_acc = evaluate(model, x_test, y_test, args.batch_size, progress=True, desc="float")
    print(f"  float accuracy {float_acc:.2f}%")

    approximate(model, by_name[EXACT]["multiplier"])
    n_layers = len(approx_layers(model))
    calib = _calibration_batches(x_train, y_train, args.calib_batches, args.batch_size)
    t0 = time.time()
    calibrate(model, calib, method=args.calibration, num_batches=args.calib_batches)
    print(f"  {n_layers} approximate products; {args.calibration} calibration on "
          f"{args.calib_batches}x{args.batch_size} training images ({time.time() - t0:.1f} s)")
    scales = {k: v.clone() for k, v in model.state_dict().items() if k.endswith("_quantizer.scale")}

    print("== int8 evaluation with every multiplier")
    results = []
    for e in progress(entries, desc="multipliers"):
        m = e["multiplier"]
        approximate(model, m)
        t0 = time.time()
        acc = evaluate(model, x_test, y_test, args.batch_size, progress=True, desc=m.name)
        metrics = m.metrics
        results.append({
            "name": m.name, "signed": m.is_signed, "sources": e["sources"],
            "mae_percent": metrics["mae_percent"], "wce_percent": metrics["wce_percent"],
            "ep_percent": metrics["ep_percent"], "rank": m.rank, "accuracy": acc,
            "eval_seconds": time.time() - t0, "finetuned_accuracy": None,
        })
        progress_write(f"  {m.name:<20} {acc:6.2f}%  ({time.time() - t0:.1f} s)")
    exact_acc = next(r["accuracy"] for r in results if r["name"] == EXACT)

    worst = min(results, key=lambda r: r["accuracy"])
    print(f"== approximation-aware fine-tuning under {worst['name']} "
          f"({args.finetune_steps} steps, straight-through backward)")
    ft_model = vit_fmnist(checkpoint=args.checkpoint)
    approximate(ft_model, by_name[worst["name"]]["multiplier"], grad="ste")
    ft_model.load_state_dict({**ft_model.state_dict(), **scales})
    t0 = time.time()
    losses = train_steps(ft_model, x_train, y_train, steps=args.finetune_steps, lr=args.finetune_lr,
                         weight_decay=0.0, batch_size=args.finetune_batch, warmup=20, seed=1,
                         desc=f"fine-tune {worst['name']}")
    ft_acc = evaluate(ft_model, x_test, y_test, args.batch_size, progress=True, desc="after fine-tuning")
    worst["finetuned_accuracy"] = ft_acc
    finetune = {"multiplier": worst["name"], "steps": args.finetune_steps, "lr": args.finetune_lr,
                "batch_size": args.finetune_batch,
                "before": worst["accuracy"], "after": ft_acc, "seconds": time.time() - t0,
                "loss_first": sum(losses[:20]) / max(1, len(losses[:20])),
                "loss_last": sum(losses[-20:]) / max(1, len(losses[-20:]))}
    print(f"  {worst['name']}: {worst['accuracy']:.2f}% -> {ft_acc:.2f}% "
          f"(float {float_acc:.2f}%, {time.time() - t0:.0f} s)")

    summary = {
        "test_images": len(x_test), "float_accuracy": float_acc, "exact_int8_accuracy": exact_acc,
        "exact_within_half_point": abs(exact_acc - float_acc) <= 0.5, "calibration": args.calibration,
        "calibration_images": args.calib_batches * args.batch_size, "approximate_products": n_layers,
        "finetune": finetune, "results": results, "seconds": time.time() - t_start,
        "threads": torch.get_num_threads(),
    }
    print()
    print(format_table(summary))
    print()
    print(f"float {float_acc:.2f}%, int8 exact table {exact_acc:.2f}% "
          f"({exact_acc - float_acc:+.2f} points{'' if summary['exact_within_half_point'] else ' -- MORE THAN 0.5 points'})")
    tables = {e["multiplier"].name: e["multiplier"] for e in entries}
    with open(out / "results.json", "w") as f:
        json.dump(summary, f, indent=2)
    write_report(out, summary, tables)
    print(f"wrote {out / 'report.md'}, {out / 'results.json'} and plots ({time.time() - t_start:.0f} s in all)")
    return summary


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m axx.demo", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="output folder (report.md, results.json, plots)")
    p.add_argument("--multipliers", default=str(_repo_root() / "multipliers" / "src"),
                   help="folder of multiplier sources to evaluate besides the built-ins")
    p.add_argument("--checkpoint", default=None, help="ViT checkpoint (default: the shipped one)")
    p.add_argument("--data", default=None, help="folder with the Fashion-MNIST IDX files")
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--calibration", default="percentile", choices=["max", "percentile", "mse", "entropy"])
    p.add_argument("--calib-batches", type=int, default=4)
    p.add_argument("--finetune-steps", type=int, default=200)
    p.add_argument("--finetune-lr", type=float, default=1e-3)
    p.add_argument("--finetune-batch", type=int, default=64)
    p.add_argument("--limit", type=int, default=0, help="evaluate on the first N test images only (0: all)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch CPU threads (default 1: on a shared, loaded machine two threads were up to 20x "
                        "slower than one; 0: torch's default)")
    args = p.parse_args(argv)
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
