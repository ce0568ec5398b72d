"""Train the Fashion-MNIST ViT, or fine-tune it under an approximate multiplier; the training and
evaluation loops the demo reuses.

    python -m axx.train --epochs 8 --out python_bindings/axx/apps/checkpoints/vit_fmnist.pt
    python -m axx.train --multiplier mul8s_drum4 --steps 200 --out vit_drum4.pt     # fine-tune
    torchrun --standalone --nproc_per_node 2 -m axx.train ...                      # data-parallel

AdamW with a linear warm-up and cosine decay, random horizontal flips, 2 threads by
default (the project's CPU machines have 2 cores). The checkpoint is a state_dict plus
the model configuration and the test accuracy reached. With ``--multiplier`` the shipped (or
``--init``) checkpoint is approximated, calibrated and fine-tuned as the demo does
(straight-through backward by default).

Under torchrun the loop is data-parallel (DistributedDataParallel: NCCL on CUDA, gloo on CPU):
every step's batch is the one-process batch split across the ranks, gradients are averaged so
that the update is the one-process update, metrics are summed over the ranks and rank 0 alone
prints and writes (docs/distributed.md).
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

from .. import distributed as _dist
from .._progress import progress as _progress
from .data import batches, load_fashion_mnist
from .models import ViT

__all__ = ["evaluate", "train_steps", "step_batches", "main"]


def _world(device) -> _dist.World:
    return _dist.init_from_env(device)


def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000,
             progress: bool = False, desc: str = "eval") -> float:
    """Top-1 accuracy in percent, in eval mode under no_grad (the mode is restored).

    In a process group of ``W`` ranks (every rank passing the same images), rank ``r`` evaluates
    the images ``r, r+W, ...`` and the correct counts are summed: every rank returns the accuracy
    over all images."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    world = _world(device)
    if world.distributed:
        mine = torch.tensor(_dist.shard_indices(len(images), world.rank, world.size), dtype=torch.long)
        images, labels_mine = images[mine], labels[mine]
    else:
        labels_mine = labels
    correct = 0
    it = batches(images, labels_mine, batch_size)
    if progress and world.is_main:
        it = _progress(it, total=math.ceil(len(images) / batch_size), desc=desc)
    try:
        with torch.no_grad():
            for x, y in it:
                correct += int((model(x.to(device)).argmax(1).cpu() == y).sum())
    finally:
        model.train(was_training)
    if world.distributed:
        correct = int(_dist.all_reduce_sum([float(correct)], _dist.collective_device(device))[0])
    return 100.0 * correct / len(labels)


def _flip_mask(n: int, generator: torch.Generator) -> torch.Tensor:
    return torch.rand(n, generator=generator) < 0.5


def _augment(x: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
    x = x.clone()
    x[flip] = x[flip].flip(-1)
    return x


def step_batches(n: int, batch_size: int, generator: torch.Generator, augment: bool, rank: int = 0, size: int = 1):
    """The batches of one epoch: ``(global positions, local positions, local flips)``.

    Every rank draws the same permutation of ``range(n)`` and the same flips for the whole
    global batch from ``generator`` (so the generator advances as in one process); rank ``r``
    of ``W`` then takes the positions ``r, r+W, ...`` of each global batch. Over the ranks each
    step uses exactly the one-process batch: no sample repeated, none dropped."""
    order = torch.randperm(n, generator=generator)
    for i in range(0, n, batch_size):
        idx = order[i:i + batch_size]
        flip = _flip_mask(len(idx), generator) if augment else None
        if size > 1:
            yield idx, idx[rank::size], (flip[rank::size] if flip is not None else None)
        else:
            yield idx, idx, flip


def train_steps(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, steps: int,
                lr: float = 1e-3, weight_decay: float = 0.05, batch_size: int = 128, warmup: int = 0,
                augment: bool = True, seed: int = 0, progress: bool = True, desc: str = "train",
                on_epoch=None) -> list[float]:
    """Run ``steps`` AdamW steps (warm-up then cosine decay) over shuffled batches.

    Returns the per-step losses (the mean over each step's whole batch). ``on_epoch(epoch_index)``
    is called after each full pass (on every rank). Works for float models and for approximate
    ones (their backward is straight-through or the table gradient, whatever the layers were built
    with).

    Data-parallel in a process group of ``W`` > 1 ranks (torchrun; every rank passing the same
    images and seed): the model is wrapped in DistributedDataParallel, ``batch_size`` is the
    global batch, split across the ranks by :func:`step_batches`, and each rank's loss is its
    share of the global mean (summed cross-entropy x W / batch), so DDP's gradient average is the
    gradient of the one-process loss. Rank 0's parameters and activation scales are sent to all
    ranks first. A rank with no sample in a step (a last batch smaller than W) runs one sample at
    weight 0 so that DDP's all-reduce still gets its part.
    """
    g = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    world = _world(device)
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
    net = model
    if world.distributed:
        from torch.nn.parallel import DistributedDataParallel

        _dist.broadcast_scales(model)      # before DDP copies the buffers: keeps each quantizer's flag
        net = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    comm = _dist.collective_device(device)
    model.train()
    losses: list[float] = []
    bar = None
    if progress and world.is_main:
        bar = _progress(total=steps, desc=desc)
    epoch = 0
    while len(losses) < steps:
        for idx, mine, flip in step_batches(len(images), batch_size, g, augment, world.rank, world.size):
            if len(losses) >= steps:
                break
            weight = 1.0
            if len(mine) == 0:
                mine, flip, weight = idx[:1], None, 0.0
            x, y = images[mine], labels[mine]
            if flip is not None:
                x = _augment(x, flip)
            out = net(x.to(device))
            if world.distributed:
                local = F.cross_entropy(out, y.to(device), reduction="sum") * weight
                loss = local * (world.size / len(idx))
            else:
                loss = F.cross_entropy(out, y.to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            if world.distributed:
                losses.append(float(_dist.all_reduce_sum(local.detach().reshape(1), comm)[0]) / len(idx))
            else:
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


def _device(name: str | None) -> torch.device:
    from .. import UsageError, cuda_available

    if name is None:
        name = "cuda" if cuda_available() and torch.cuda.is_available() else "cpu"
    if name == "cuda":
        if not (torch.cuda.is_available() and cuda_available()):
            raise UsageError("--device cuda: torch sees no GPU or this axx build has no CUDA kernels")
        import os
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0") or 0))
    return torch.device("cpu")


def _finetune_model(args, x_train, y_train, world, log):
    """The demo's fine-tuning start: the checkpoint's ViT, every product on the multiplier,
    activation scales calibrated (rank 0) on training batches drawn with seed 0."""
    from .. import approximate, calibrate
    from ..evaluate import load_multiplier
    from .models import vit_fmnist

    m = load_multiplier(args.multiplier)
    model = vit_fmnist(checkpoint=args.init)
    approximate(model, m, grad=args.grad)
    if world.is_main:
        g = torch.Generator().manual_seed(0)
        it = batches(x_train, y_train, args.batch_size, shuffle=True, generator=g)
        calibrate(model, [next(it) for _ in range(args.calib_batches)], method=args.calibration,
                  num_batches=args.calib_batches)
    log(f"{m.name}: every product approximate, {args.calibration} calibration on "
        f"{args.calib_batches}x{args.batch_size} training images, {args.grad} backward")
    return model, m.name


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m axx.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--steps", type=int, default=0, help="optimizer steps (default: --epochs full passes)")
    p.add_argument("--batch-size", type=int, default=128, help="global batch: split across the processes")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate (default 2e-3; 1e-3 fine-tuning)")
    p.add_argument("--weight-decay", type=float, default=None, help="default 0.05; 0 fine-tuning")
    p.add_argument("--warmup", type=int, default=None, help="warm-up steps (default half an epoch; 20 fine-tuning)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads per process (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None, help="folder with the Fashion-MNIST IDX files")
    p.add_argument("--multiplier", default=None,
                   help="fine-tune under this multiplier (built-in name or a file `axx lut` reads) "
                        "instead of training a float ViT from scratch")
    p.add_argument("--init", default=None, help="with --multiplier: the checkpoint to start from (default: shipped)")
    p.add_argument("--grad", default="ste", choices=["ste", "lut"], help="with --multiplier: backward mode")
    p.add_argument("--calibration", default="percentile", choices=["max", "percentile", "mse", "entropy"])
    p.add_argument("--calib-batches", type=int, default=4)
    p.add_argument("--device", choices=["cuda", "cpu"], default="cpu",
                   help="default cpu; under torchrun each process takes cuda:LOCAL_RANK")
    p.add_argument("--limit", type=int, default=0, help="evaluate on the first N test images only (0: all)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--out", required=True, help="checkpoint to write (.pt, rank 0)")
    args = p.parse_args(argv)
    from .. import AxxError, UsageError

    try:
        device = _device(args.device)
    except UsageError as e:
        print(f"python -m axx.train: {e}", file=sys.stderr)
        return 1
    torch.set_num_threads(args.threads)
    world = _dist.init_from_env(device)
    log = (lambda msg: print(msg, flush=True)) if world.is_main else (lambda msg: None)
    try:
        torch.manual_seed(args.seed)
        x_train, y_train = load_fashion_mnist("train", args.data)
        x_test, y_test = load_fashion_mnist("test", args.data)
        if args.limit:
            x_test, y_test = x_test[:args.limit], y_test[:args.limit]
        finetune = args.multiplier is not None
        if finetune:
            model, mult = _finetune_model(args, x_train, y_train, world, log)
        else:
            model, mult = ViT(), None
        model.to(device)
        log(f"ViT: {sum(p.numel() for p in model.parameters()):,} parameters; "
            f"{len(x_train)} training, {len(x_test)} test images; {world.size} process(es) on {device.type}")
        steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
        steps = args.steps or args.epochs * steps_per_epoch
        lr = args.lr if args.lr is not None else (1e-3 if finetune else 2e-3)
        wd = args.weight_decay if args.weight_decay is not None else (0.0 if finetune else 0.05)
        warmup = args.warmup if args.warmup is not None else (20 if finetune else steps_per_epoch // 2)
        t0 = time.time()
        before = None
        if finetune:
            _dist.broadcast_scales(model)
            before = evaluate(model, x_test, y_test)
            log(f"before fine-tuning: test accuracy {before:.2f}%")

        def report(epoch):
            acc = evaluate(model, x_test, y_test)      # every rank: the evaluation is sharded too
            log(f"epoch {epoch + 1}: test accuracy {acc:.2f}% ({time.time() - t0:.0f} s)")

        losses = train_steps(model, x_train, y_train, steps=steps, lr=lr, weight_decay=wd,
                             batch_size=args.batch_size, warmup=warmup, seed=args.seed,
                             progress=not args.no_progress, desc=f"fine-tune {mult}" if finetune else "train",
                             on_epoch=report)
        acc = evaluate(model, x_test, y_test)
        if world.is_main:
            out = Path(args.out)
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(out.suffix + ".tmp")
            torch.save({"model": model.state_dict(), "config": model.config, "test_accuracy": acc,
                        "epochs": args.epochs, "steps": steps, "multiplier": mult, "accuracy_before": before,
                        "world_size": world.size, "loss_last": sum(losses[-20:]) / max(1, len(losses[-20:]))}, tmp)
            tmp.replace(out)
        log(f"saved {args.out} (test accuracy {acc:.2f}%, {time.time() - t0:.0f} s)")
    except AxxError as e:
        prefix = f"[rank {world.rank}] " if world.distributed else ""
        print(f"{prefix}python -m axx.train: {e}", file=sys.stderr)
        return 1 if isinstance(e, UsageError) else 2
    except (OSError, ValueError) as e:      # missing data or checkpoint
        prefix = f"[rank {world.rank}] " if world.distributed else ""
        print(f"{prefix}python -m axx.train: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
