"""Train the Fashion-MNIST ViT, and the training/evaluation loops the demo reuses.

    python -m axx.train --epochs 8 --out python_bindings/axx/apps/checkpoints/vit_fmnist.pt

AdamW with a linear warm-up and cosine decay, random horizontal flips, 2 threads by
default (the project's CPU machines have 2 cores). The checkpoint is a state_dict plus
the model configuration and the test accuracy reached.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .._progress import progress as _progress
from .data import batches, load_fashion_mnist
from .models import ViT

__all__ = ["evaluate", "train_steps", "main"]


def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000,
             progress: bool = False, desc: str = "eval") -> float:
    """Top-1 accuracy in percent, in eval mode under no_grad (the mode is restored)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    correct = 0
    it = batches(images, labels, batch_size)
    if progress:
        it = _progress(it, total=math.ceil(len(images) / batch_size), desc=desc)
    with torch.no_grad():
        for x, y in it:
            correct += int((model(x.to(device)).argmax(1).cpu() == y).sum())
    model.train(was_training)
    return 100.0 * correct / len(images)


def _augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    flip = torch.rand(len(x), generator=generator) < 0.5
    x = x.clone()
    x[flip] = x[flip].flip(-1)
    return x


def train_steps(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, steps: int,
                lr: float = 1e-3, weight_decay: float = 0.05, batch_size: int = 128, warmup: int = 0,
                augment: bool = True, seed: int = 0, progress: bool = True, desc: str = "train",
                on_epoch=None) -> list[float]:
    """Run ``steps`` AdamW steps (warm-up then cosine decay) over shuffled batches.

    Returns the per-step losses. ``on_epoch(epoch_index)`` is called after each full pass.
    Works for float models and for approximate ones (their backward is straight-through
    or the table gradient, whatever the layers were built with).
    """
    g = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2 and "pos_embed" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and (p.ndim < 2 or "pos_embed" in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr)

    def lr_at(step):
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, steps - warmup)
        return 0.5 * (1 + math.cos(math.pi * t))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    model.train()
    losses: list[float] = []
    bar = None
    if progress:
        bar = _progress(total=steps, desc=desc)
    epoch = 0
    while len(losses) < steps:
        for x, y in batches(images, labels, batch_size, shuffle=True, generator=g):
            if len(losses) >= steps:
                break
            if augment:
                x = _augment(x, g)
            loss = F.cross_entropy(model(x.to(device)), y.to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{sum(losses[-50:]) / len(losses[-50:]):.3f}")
        else:
            if on_epoch is not None:
                on_epoch(epoch)
            epoch += 1
    if bar is not None:
        bar.close()
    model.eval()
    return losses


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m axx.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None, help="folder with the Fashion-MNIST IDX files")
    p.add_argument("--out", required=True, help="checkpoint to write (.pt)")
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train, y_train = load_fashion_mnist("train", args.data)
    x_test, y_test = load_fashion_mnist("test", args.data)
    model = ViT()
    print(f"ViT: {sum(p.numel() for p in model.parameters()):,} parameters; "
          f"{len(x_train)} training, {len(x_test)} test images", flush=True)
    steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
    t0 = time.time()

    def report(epoch):
        acc = evaluate(model, x_test, y_test)
        print(f"epoch {epoch + 1}/{args.epochs}: test accuracy {acc:.2f}% ({time.time() - t0:.0f} s)", flush=True)

    train_steps(model, x_train, y_train, steps=args.epochs * steps_per_epoch, lr=args.lr,
                weight_decay=args.weight_decay, batch_size=args.batch_size, warmup=steps_per_epoch // 2,
                seed=args.seed, desc="train", on_epoch=report)
    acc = evaluate(model, x_test, y_test)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    torch.save({"model": model.state_dict(), "config": model.config, "test_accuracy": acc,
                "epochs": args.epochs}, tmp)
    tmp.replace(out)
    print(f"saved {out} (test accuracy {acc:.2f}%, {time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
