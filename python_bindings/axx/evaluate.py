"""Top-1/top-5 accuracy of a timm model on an image folder, with approximate multipliers.

    python -m axx.evaluate --model vit_base_patch16_224 --weights vit_b16.safetensors \\
        --data imagenet/val --multiplier mul8s_1KV8 [--map assignment.json] [--json out.json]
    torchrun --nproc_per_node 2 -m axx.evaluate ...            # data-parallel, same numbers

The model is created by timm with ``pretrained=False`` and loaded from a local ``.pth`` /
``.pt`` / ``.safetensors`` file (nothing is downloaded). ``--data`` is a class-per-folder tree
(torchvision's ``ImageFolder`` layout: classes are the sorted sub-folder names), read with
timm's evaluation transform for the model (resize, centre crop, normalise). Every product of
the model is approximated (``axx.approximate``), the activation scales are calibrated on the
first ``--calibration-batches`` batches of the evaluation order, and accuracy is measured on
every image. See docs/python-ml.md and docs/distributed.md.

Exit status: 0 ok, 1 usage error, 2 bad input (weights, data, multiplier files), 3 an external
tool (yosys, the C compiler) missing or failing.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Mapping

import torch
from torch import nn

from . import distributed as _dist
from ._C import AxxError, InputError, ToolError, UsageError

__all__ = ["evaluate", "create_model", "load_weights", "ImageFolder", "eval_transform", "data_config",
           "load_multiplier", "load_map", "IMG_EXTENSIONS", "main"]

# axx/__init__ exports the function, so `python -m axx.evaluate` finds this module imported
# already; runpy warns about that, but the module run as __main__ only calls main() below.
warnings.filterwarnings("ignore", message="'axx.evaluate' found in sys.modules", category=RuntimeWarning)

# torchvision's ImageFolder extensions (compared lower-case).
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
# The evaluation order is a fixed permutation of the folder (seed 0), so that --limit and the
# calibration batches are spread over the classes rather than taken from the first ones.
ORDER_SEED = 0
DEFAULT_CALIBRATION_BATCHES = 4
TOPK = 5


# ---------------------------------------------------------------------------------------------
# Data


class ImageFolder(torch.utils.data.Dataset):
    """A class-per-folder image tree, listed exactly as torchvision's ``ImageFolder`` lists it
    (classes = sorted sub-folder names; files sorted, sub-folders followed; the extensions of
    :data:`IMG_EXTENSIONS`), without needing torchvision. Items are ``(transform(img), label)``
    with ``img`` a PIL RGB image."""

    def __init__(self, root: str | os.PathLike, transform: Callable | None = None):
        self.root = Path(root)
        if not self.root.is_dir():
            raise InputError(f"{self.root}: data folder not found")
        self.classes = sorted(e.name for e in os.scandir(self.root) if e.is_dir())
        if not self.classes:
            raise InputError(f"{self.root}: no class folders (expected one sub-folder of images per class)")
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self.samples: list[tuple[str, int]] = []
        empty = []
        for c in self.classes:
            found = 0
            for root, _, files in sorted(os.walk(self.root / c, followlinks=True)):
                for f in sorted(files):
                    if f.lower().endswith(IMG_EXTENSIONS):
                        self.samples.append((os.path.join(root, f), self.class_to_idx[c]))
                        found += 1
            if not found:
                empty.append(c)
        if empty:
            shown = ", ".join(empty[:10]) + (f" and {len(empty) - 10} more" if len(empty) > 10 else "")
            raise InputError(f"{self.root}: no images in class folder(s) {shown} "
                             f"(extensions: {' '.join(IMG_EXTENSIONS)})")
        self.targets = [t for _, t in self.samples]
        self.transform = transform

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int):
        from PIL import Image

        path, target = self.samples[i]
        try:
            with open(path, "rb") as f:
                img = Image.open(f)
                img = img.convert("RGB")
        except (OSError, ValueError) as e:
            raise InputError(f"{path}: cannot read image ({e})") from None
        return (self.transform(img) if self.transform is not None else img), target


def data_config(model: nn.Module, input_size: tuple[int, int] | None = None) -> dict:
    """timm's evaluation data config for ``model`` (input_size, interpolation, mean, std,
    crop_pct, crop_mode). A ViT built with another ``img_size`` than its pretrained config
    gets that size (its patch embedding takes nothing else)."""
    try:
        from timm.data import resolve_data_config
        cfg = dict(resolve_data_config({}, model=model))
    except ImportError:
        pre = dict(getattr(model, "pretrained_cfg", None) or getattr(model, "default_cfg", None) or {})
        cfg = {"input_size": tuple(pre.get("input_size", (3, 224, 224))),
               "interpolation": pre.get("interpolation", "bicubic"),
               "mean": tuple(pre.get("mean", (0.485, 0.456, 0.406))),
               "std": tuple(pre.get("std", (0.229, 0.224, 0.225))),
               "crop_pct": pre.get("crop_pct", 0.875), "crop_mode": pre.get("crop_mode", "center")}
    if input_size is None:
        pe = getattr(model, "patch_embed", None)
        size = getattr(pe, "img_size", None)
        if size is not None and not getattr(pe, "dynamic_img_size", False):
            input_size = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
    if input_size is not None:
        cfg["input_size"] = (cfg["input_size"][0], int(input_size[0]), int(input_size[1]))
    return cfg


_PIL_MODES = {"nearest": 0, "lanczos": 1, "bilinear": 2, "bicubic": 3, "box": 4, "hamming": 5}


class PilEvalTransform:
    """timm's evaluation transform (``transforms_imagenet_eval``: resize the shorter side to
    ``size / crop_pct``, centre crop, scale to [0, 1], normalise), written with PIL and torch
    for machines without torchvision. Same arithmetic as torchvision on PIL images."""

    def __init__(self, cfg: Mapping[str, Any]):
        self.size = tuple(int(s) for s in cfg["input_size"][-2:])
        self.crop_pct = float(cfg.get("crop_pct") or 0.875)
        self.crop_mode = cfg.get("crop_mode") or "center"
        interp = cfg.get("interpolation") or "bilinear"
        if interp not in _PIL_MODES:
            interp = "bilinear"          # timm's choice for 'random' and unknown modes
        self.resample = _PIL_MODES[interp]
        self.mean = torch.tensor(cfg["mean"], dtype=torch.float32).view(-1, 1, 1)
        self.std = torch.tensor(cfg["std"], dtype=torch.float32).view(-1, 1, 1)
        self.scale = tuple(math.floor(s / self.crop_pct) for s in self.size)
        if self.crop_mode not in ("center", "squash") or (self.crop_mode == "center" and self.scale[0] != self.scale[1]):
            raise UsageError(f"evaluation transform without torchvision: crop_mode '{self.crop_mode}' with input size "
                             f"{self.size} is not supported; install torchvision")

    def __call__(self, img):
        import numpy as np

        w, h = img.size
        if self.crop_mode == "squash":
            new_h, new_w = self.scale
        else:
            short, long = (w, h) if w <= h else (h, w)
            new_short, new_long = self.scale[0], int(self.scale[0] * long / short)
            new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        if (new_w, new_h) != (w, h):
            img = img.resize((new_w, new_h), self.resample)
        ch, cw = self.size
        if ch > new_h or cw > new_w:
            raise UsageError(f"evaluation transform without torchvision: crop {self.size} larger than the image")
        top = int(round((new_h - ch) / 2.0))
        left = int(round((new_w - cw) / 2.0))
        img = img.crop((left, top, left + cw, top + ch))
        x = torch.from_numpy(np.asarray(img, dtype=np.uint8).copy()).permute(2, 0, 1).float().div_(255.0)
        return (x - self.mean) / self.std


def eval_transform(model: nn.Module, input_size: tuple[int, int] | None = None) -> Callable:
    """timm's evaluation transform for ``model`` (:func:`data_config`); the PIL + torch
    equivalent when timm's transforms (which need torchvision) cannot be imported."""
    cfg = data_config(model, input_size)
    try:
        from timm.data import create_transform
        return create_transform(**cfg, is_training=False)
    except ImportError:
        return PilEvalTransform(cfg)


def evaluation_order(n: int, limit: int | None = None) -> list[int]:
    """The fixed order in which samples are evaluated: a permutation of ``range(n)`` (seed
    :data:`ORDER_SEED`), cut to its first ``limit``. Calibration takes its first batches."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(ORDER_SEED)).tolist()
    return order[:limit] if limit else order


# ---------------------------------------------------------------------------------------------
# Model and weights


def _unwrap_state_dict(obj, path: Path) -> dict:
    for _ in range(3):
        if isinstance(obj, Mapping) and not all(isinstance(v, torch.Tensor) for v in obj.values()):
            for key in ("state_dict", "model", "model_state_dict", "module"):
                if isinstance(obj.get(key), Mapping):
                    obj = obj[key]
                    break
            else:
                break
    if not isinstance(obj, Mapping) or not obj:
        raise InputError(f"{path}: not a state_dict (expected a mapping of parameter names to tensors)")
    bad = [k for k, v in obj.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise InputError(f"{path}: entries that are not tensors: {', '.join(map(str, bad[:5]))}")
    keys = list(obj)
    if all(k.startswith("module.") for k in keys):      # saved from DistributedDataParallel
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return dict(obj)


def read_state_dict(path: str | os.PathLike) -> dict:
    """The tensors of a ``.safetensors`` file or a ``torch.save``d state_dict (``.pth``/``.pt``;
    read with ``weights_only=True``; ``{"state_dict": ...}``/``{"model": ...}`` wrappers and a
    ``module.`` prefix are removed)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: weights file not found")
    try:
        if path.suffix == ".safetensors":
            try:
                from safetensors.torch import load_file
            except ImportError:
                raise ToolError(f"{path}: reading .safetensors needs the safetensors package") from None
            obj = load_file(str(path), device="cpu")
        else:
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except (AxxError, KeyboardInterrupt):
        raise
    except Exception as e:  # torch.load and safetensors raise many kinds for a bad file
        raise InputError(f"{path}: cannot read weights ({type(e).__name__}: {e})") from None
    return _unwrap_state_dict(obj, path)


def _listing(keys: list[str], limit: int = 8) -> str:
    return ", ".join(keys[:limit]) + (f" ... ({len(keys)} in all)" if len(keys) > limit else "")


def load_weights(model: nn.Module, path: str | os.PathLike) -> nn.Module:
    """Load the state_dict in ``path`` into ``model``, strictly: any missing or unexpected key
    or shape mismatch is an :class:`axx.InputError` naming them."""
    path = Path(path)
    sd = read_state_dict(path)
    own = model.state_dict()
    missing = [k for k in own if k not in sd]
    unexpected = [k for k in sd if k not in own]
    shapes = [f"{k} {tuple(sd[k].shape)} (model {tuple(own[k].shape)})"
              for k in own if k in sd and sd[k].shape != own[k].shape]
    problems = []
    if missing:
        problems.append(f"missing keys: {_listing(missing)}")
    if unexpected:
        problems.append(f"unexpected keys: {_listing(unexpected)}")
    if shapes:
        problems.append(f"shape mismatches: {_listing(shapes)}")
    if problems:
        raise InputError(f"{path}: the weights do not match the model; " + "; ".join(problems))
    model.load_state_dict(sd, strict=True)
    return model


def create_model(name: str, weights: str | os.PathLike, **kwargs: Any) -> nn.Module:
    """``timm.create_model(name, pretrained=False, **kwargs)`` loaded from the local file
    ``weights`` (:func:`load_weights`); in eval mode."""
    if not Path(weights).is_file():            # before building a large model
        raise InputError(f"{weights}: weights file not found")
    try:
        import timm
    except ImportError:
        raise ToolError("axx.evaluate needs timm (pip install timm)") from None
    try:
        model = timm.create_model(name, pretrained=False, **kwargs)
    except RuntimeError as e:
        if "Unknown model" in str(e):
            raise UsageError(f"unknown timm model '{name}'") from None
        raise
    except TypeError as e:
        raise UsageError(f"timm model '{name}': bad model argument ({e})") from None
    load_weights(model, weights)
    return model.eval()


# ---------------------------------------------------------------------------------------------
# Multipliers


def load_multiplier(spec: str, signed: bool | None = None, base: Path | None = None):
    """A built-in name, ``builtin:NAME``, or a file ``axx lut`` reads (relative to ``base``)."""
    from ._multiplier import Multiplier

    path = Path(spec)
    if base is not None and not path.is_absolute():
        path = base / path
    if spec.startswith("builtin:") or path.exists():
        return Multiplier.from_file(spec if spec.startswith("builtin:") else path, signed=signed)
    if os.sep in spec or "." in Path(spec).name:
        raise InputError(f"{path}: multiplier file not found")
    return Multiplier.builtin(spec)


def load_map(path: str | os.PathLike, signed: bool | None = None) -> dict:
    """A per-product assignment: JSON ``{pattern: SPEC or null}`` (null keeps those products
    float), or an object whose ``"assignment"`` holds one (a point of an exploration front).
    SPECs are read by :func:`load_multiplier`, files relative to the JSON's folder."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise InputError(f"{path}: cannot read the map ({e.strerror})") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: not JSON ({e.msg})") from None
    if isinstance(obj, dict) and isinstance(obj.get("assignment"), dict):
        obj = obj["assignment"]
    if not isinstance(obj, dict) or not obj or not all(isinstance(v, str) or v is None for v in obj.values()):
        raise InputError(f"{path}: expected a JSON object {{\"layer pattern\": \"multiplier\" or null, ...}}, "
                         f"or one with such an object under \"assignment\"")
    loaded: dict[str, Any] = {}
    out = {}
    for pattern, spec in obj.items():
        if spec is not None and spec not in loaded:
            loaded[spec] = load_multiplier(spec, signed, base=path.parent)
        out[pattern] = None if spec is None else loaded[spec]
    return out


def _describe(multiplier) -> str | dict | None:
    if multiplier is None or isinstance(multiplier, str):
        return multiplier
    if isinstance(multiplier, Mapping):
        return {p: _describe(m) for p, m in multiplier.items()}
    return multiplier.name


# ---------------------------------------------------------------------------------------------
# The evaluation loop


def _resolve_device(device) -> torch.device:
    from . import cuda_available

    if device is None:
        device = "cuda" if cuda_available() else "cpu"
    device = torch.device(device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise UsageError("--device cuda: torch sees no GPU")
        if not cuda_available():
            raise UsageError("--device cuda: this axx build has no CUDA kernels")
    elif device.type != "cpu":
        raise UsageError(f"unsupported device '{device}' (cuda or cpu)")
    return device


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _loader(dataset, indices, batch_size, workers, device):
    subset = torch.utils.data.Subset(dataset, indices)
    return torch.utils.data.DataLoader(subset, batch_size=batch_size, shuffle=False, num_workers=workers,
                                       pin_memory=device.type == "cuda", persistent_workers=False)


def _run(model, loader, device, world, desc, progress) -> dict:
    """One pass over this rank's shard; metrics summed over ranks."""
    correct1 = torch.zeros((), dtype=torch.int64, device=device)
    correct5 = torch.zeros((), dtype=torch.int64, device=device)
    seen = 0
    k = 0
    it = iter(loader)
    first = next(it, None)
    with torch.no_grad():
        if first is not None:               # warm-up (kernel loading, allocator): not timed, not counted
            model(first[0].to(device, non_blocking=True))
        _sync(device)
        _dist.barrier()
        bar = None
        if progress and world.is_main:
            from tqdm.auto import tqdm
            bar = tqdm(total=len(loader) * world.size, desc=desc, unit="batch", disable=None, leave=False)
        t0 = time.perf_counter()
        batches = [] if first is None else [first]
        for x, y in _chain(batches, it):
            top_label = int(y.max())          # y is still on the host: no device synchronisation
            x = x.to(device, non_blocking=True)
            y = y.to(device, non_blocking=True)
            logits = model(x)
            if logits.dim() != 2 or logits.shape[0] != x.shape[0]:
                raise UsageError(f"the model returned shape {tuple(logits.shape)} for a batch of {x.shape[0]}; "
                                 f"expected (batch, classes)")
            if top_label >= logits.shape[1]:
                raise InputError(f"the data has class index {top_label} but the model has {logits.shape[1]} outputs")
            k = min(TOPK, logits.shape[1])
            top = logits.topk(k, dim=1).indices
            hit = top == y[:, None]
            correct1 += hit[:, 0].sum()
            correct5 += hit.any(dim=1).sum()
            seen += int(x.shape[0])
            if bar is not None:
                bar.update(world.size)
        _sync(device)
        seconds = time.perf_counter() - t0
        if bar is not None:
            bar.close()
    sums = _dist.all_reduce_sum([float(correct1), float(correct5), float(seen)], device)
    slowest, k = (float(v) for v in _dist.all_reduce_max([seconds, float(k)], device).tolist())
    c1, c5, n = (int(v) for v in sums.tolist())
    k = int(k)
    return {"top1": c1 / n if n else 0.0, "top5": c5 / n if n else 0.0, "samples": n,
            "correct_top1": c1, "correct_top5": c5, "topk": k, "seconds": slowest,
            "images_per_second": n / slowest if slowest > 0 else None}


def _chain(first, rest):
    yield from first
    yield from rest


def _check_labels(model: nn.Module, dataset) -> None:
    """Before any image is read: labels beyond a timm model's outputs (checked per batch too)."""
    n = getattr(model, "num_classes", None)
    targets = getattr(dataset, "targets", None)
    if isinstance(n, int) and n > 0 and targets is not None and len(targets) and max(targets) >= n:
        raise InputError(f"the data has class index {max(targets)} but the model has {n} outputs "
                         f"(set num_classes to the number of class folders)")


def _shared_order(n: int, limit, world, device) -> list[int]:
    """The evaluation order, rank 0's on every rank: shards are cut from one list even if
    hosts' torch versions permute differently; folders of different sizes are an error."""
    order = evaluation_order(n, limit)
    if not world.distributed:
        return order
    lo_hi = _dist.all_reduce_max([float(n), -float(n)], device).tolist()
    if lo_hi[0] != -lo_hi[1]:
        raise InputError(f"the data differs between processes: {int(-lo_hi[1])} to {int(lo_hi[0])} images")
    t = torch.tensor(order, dtype=torch.int64, device=device)
    return _dist.broadcast_(t, src=0).tolist()


def _swap_multipliers(model: nn.Module, choose: Callable) -> list:
    from .nn import approx_layers

    saved = []
    for _, layer in approx_layers(model):
        saved.append((layer, layer.multiplier))
        layer.multiplier = choose(layer.multiplier)
    return saved


def _restore(saved) -> None:
    for layer, m in saved:
        layer.multiplier = m


def _exact_for(m):
    from ._multiplier import Multiplier

    if m is None:
        return None
    return Multiplier.builtin("mul8s_exact" if m.is_signed else "mul8u_exact")


def evaluate(model: nn.Module, data, multiplier=None, *, calibration: str | None = "percentile",
             calibration_batches: int = DEFAULT_CALIBRATION_BATCHES, batch_size: int = 64,
             device: str | torch.device | None = None, limit: int | None = None, baselines: bool = False,
             workers: int = 0, progress: bool = True, input_size: tuple[int, int] | None = None) -> dict:
    """Top-1/top-5 accuracy of ``model`` with ``multiplier`` in its products; data-parallel
    under torchrun.

    Args:
        model: a float model (a timm model, e.g. from :func:`create_model`) or one already
            approximated; converted in place.
        data: a class-per-folder image tree (path; :class:`ImageFolder` with
            :func:`eval_transform`), or a dataset of ``(image tensor, label)``.
        multiplier: an :class:`axx.Multiplier`, a built-in name, a mapping ``{pattern:
            Multiplier | None}`` (:func:`axx.approximate`), or None to evaluate the model as given.
        calibration: ``max``, ``percentile``, ``mse``, ``entropy`` or None (dynamic scales).
        calibration_batches: the first this many batches of the evaluation order calibrate
            the activation scales (rank 0 calibrates and sends the scales to all ranks).
        batch_size: images per batch on each rank.
        device: ``cuda`` / ``cpu`` (default: CUDA when :func:`axx.cuda_available`); under
            torchrun each process takes ``cuda:LOCAL_RANK``.
        limit: evaluate the first ``limit`` images of the evaluation order (a fixed seed-0
            permutation of the folder) only.
        baselines: also measure the float model and the int8 model with exact products.
        workers: DataLoader worker processes per rank.
        progress: a tqdm bar on rank 0 (shown only when stderr is a terminal).

    Returns:
        a dict with ``top1``, ``top5`` (fractions), ``samples``, ``correct_top1``,
        ``correct_top5``, ``topk`` (5, or the number of classes when fewer), ``seconds`` and
        ``images_per_second`` (the evaluation loop after calibration and one warm-up batch,
        slowest rank), ``world_size``, ``calibration``, ``calibration_images``,
        ``approximate_products``, and with ``baselines`` a ``baselines`` dict of ``float`` and
        ``int8_exact`` results of the same form.

    Without a process group and with ``WORLD_SIZE`` unset this is one process; under
    torchrun rank ``r`` of ``W`` evaluates the positions ``r, r+W, ...`` of the evaluation
    order (no sample twice, none dropped) and the counts are summed over the ranks.
    """
    from .convert import approximate
    from .nn import approx_layers
    from .quant import CALIBRATION_METHODS, calibrate

    if calibration is not None and calibration not in CALIBRATION_METHODS:
        raise UsageError(f"unknown calibration method '{calibration}'; choose one of "
                         f"{', '.join(CALIBRATION_METHODS)} or none")
    for name, value, least in (("batch_size", batch_size, 1), ("calibration_batches", calibration_batches, 0),
                               ("limit", limit, 0), ("workers", workers, 0)):
        if value is not None and value < least:
            raise UsageError(f"{name} must be at least {least}, got {value}")
    device = _resolve_device(device)
    world = _dist.init_from_env(device)
    try:
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", world.local_rank if world.distributed else torch.cuda.current_device())
        if isinstance(data, (str, os.PathLike)):
            dataset = ImageFolder(data, eval_transform(model, input_size))
        else:
            dataset = data
        _check_labels(model, dataset)
        order = _shared_order(len(dataset), limit, world, device)
        if not order:
            raise InputError(f"{data}: no images to evaluate")
        shard = [order[i] for i in _dist.shard_indices(len(order), world.rank, world.size)]
        loader = _loader(dataset, shard, batch_size, workers, device)
        model.to(device).eval()

        result: dict[str, Any] = {}
        base: dict[str, Any] = {}
        if baselines:
            saved = _swap_multipliers(model, lambda m: None)   # an already approximate model, as float
            base["float"] = _run(model, loader, device, world, "float", progress)
            _restore(saved)
        if multiplier is not None:
            model = approximate(model, multiplier)      # a bare Linear/Conv2d comes back replaced
        layers = approx_layers(model)
        model.to(device)
        cal_images = 0
        if layers and calibration is not None and calibration_batches > 0:
            cal = order[:calibration_batches * batch_size]
            cal_images = len(cal)
            if world.is_main:
                calibrate(model, _loader(dataset, cal, batch_size, workers, device), method=calibration,
                          num_batches=None, progress=progress)
            _dist.broadcast_scales(model)
        if baselines and layers:
            saved = _swap_multipliers(model, _exact_for)
            base["int8_exact"] = _run(model, loader, device, world, "int8 exact", progress)
            _restore(saved)
        desc = "approximate" if isinstance(multiplier, Mapping) else (_describe(multiplier) or "model")
        result.update(_run(model, loader, device, world, desc, progress))
        result.update({"world_size": world.size, "batch_size": batch_size, "device": device.type,
                       "multiplier": _describe(multiplier), "calibration": calibration if layers else None,
                       "calibration_images": cal_images, "approximate_products": len(layers),
                       "classes": len(getattr(dataset, "classes", []) or []) or None})
        if baselines:
            result["baselines"] = base
        return result
    finally:
        _dist.destroy(world)


# ---------------------------------------------------------------------------------------------
# Command line


def _write_json_atomic(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class _Parser(argparse.ArgumentParser):
    def error(self, message):             # usage errors exit 1 (argparse's own status 2 means bad input here)
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def parse_model_kwargs(text: str) -> dict:
    """The ``--model-kwargs`` option: a JSON object of further ``timm.create_model`` arguments."""
    try:
        kwargs = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"--model-kwargs: not JSON ({e.msg})") from None
    if not isinstance(kwargs, dict):
        raise UsageError("--model-kwargs: expected a JSON object")
    return kwargs


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m axx.evaluate", description=__doc__.split("\n\n")[0],
                                epilog="Data-parallel: torchrun --nproc_per_node N -m axx.evaluate ... "
                                       "(docs/distributed.md).")
    p.add_argument("--model", required=True, help="timm model name (created with pretrained=False)")
    p.add_argument("--weights", required=True, help="local .pth/.pt/.safetensors state_dict for the model")
    p.add_argument("--data", required=True, help="class-per-folder image tree (torchvision ImageFolder layout)")
    p.add_argument("--multiplier", help="built-in name, builtin:NAME, or a file `axx lut` reads; "
                                        "applied to every product (a --map overrides it per product)")
    sg = p.add_mutually_exclusive_group()
    sg.add_argument("--signed", dest="signed", action="store_const", const=True, default=None,
                    help="multiplier files have two's complement operands")
    sg.add_argument("--unsigned", dest="signed", action="store_const", const=False,
                    help="multiplier files have unsigned operands")
    p.add_argument("--map", help="JSON per-product assignment {pattern: multiplier or null}")
    p.add_argument("--calibration", default="percentile",
                   choices=["max", "percentile", "mse", "entropy", "none"])
    p.add_argument("--calibration-batches", type=int, default=DEFAULT_CALIBRATION_BATCHES,
                   help="calibrate on the first N batches of the evaluation order (default %(default)s)")
    p.add_argument("--batch-size", type=int, default=64, help="images per batch and process (default 64)")
    p.add_argument("--device", choices=["cuda", "cpu"], default=None,
                   help="default: cuda when this build and torch see a GPU")
    p.add_argument("--limit", type=int, default=0, help="evaluate N images only (0: all)")
    p.add_argument("--baselines", action="store_true", help="also measure float and int8 with exact products")
    p.add_argument("--num-classes", type=int, default=0,
                   help="model outputs (default: the number of class folders)")
    p.add_argument("--model-kwargs", default="{}",
                   help="JSON object of further timm.create_model arguments, e.g. '{\"img_size\": 384}'")
    p.add_argument("--workers", type=int, default=-1,
                   help="DataLoader workers per process (default: 0 on CPU, up to 8 per GPU)")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads per process (0: torch's default)")
    p.add_argument("--json", dest="json_out", help="write the results here (rank 0)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def run(args) -> dict:
    if args.multiplier is None and args.map is None:
        raise UsageError("give --multiplier SPEC and/or --map FILE.json")
    kwargs = parse_model_kwargs(args.model_kwargs)
    if args.threads:
        torch.set_num_threads(args.threads)
    world_local = int(os.environ.get("LOCAL_WORLD_SIZE", "1") or 1)
    device = _resolve_device(args.device)
    workers = args.workers
    if workers < 0:
        workers = 0 if device.type == "cpu" else min(8, max(1, (os.cpu_count() or 1) // world_local - 1))
    multiplier: Any = None
    if args.multiplier is not None:
        multiplier = load_multiplier(args.multiplier, args.signed)
    if args.map is not None:
        mapping = load_map(args.map, args.signed)
        multiplier = {"*": multiplier, **mapping} if multiplier is not None else mapping
    folder = ImageFolder(args.data)          # checks the tree before the model is built
    if args.num_classes:
        kwargs["num_classes"] = args.num_classes
    kwargs.setdefault("num_classes", len(folder.classes))
    model = create_model(args.model, args.weights, **kwargs)
    folder.transform = eval_transform(model)
    result = evaluate(model, folder, multiplier, calibration=None if args.calibration == "none" else args.calibration,
                      calibration_batches=args.calibration_batches, batch_size=args.batch_size, device=device,
                      limit=args.limit or None, baselines=args.baselines, workers=workers,
                      progress=not args.no_progress)
    result.update({"model": args.model, "weights": str(args.weights), "data": str(args.data),
                   "map": args.map, "model_kwargs": kwargs})
    return result


def _print_summary(r: dict) -> None:
    def line(label, x):
        ips = x.get("images_per_second")
        speed = f", {ips:.1f} images/s" if ips else ""
        print(f"{label:<12} top-1 {100 * x['top1']:6.2f}%  top-{x['topk']} {100 * x['top5']:6.2f}%  "
              f"({x['samples']} images{speed})")

    for name, b in (r.get("baselines") or {}).items():
        line(name, b)
    m = r["multiplier"]
    line(m if isinstance(m, str) else "approximate", r)
    print(f"{r['approximate_products']} approximate products, calibration {r['calibration'] or 'none'} on "
          f"{r['calibration_images']} images, {r['world_size']} process(es), batch {r['batch_size']} on {r['device']}")


_EXIT = ((UsageError, 1), (ToolError, 3), (AxxError, 2))


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    rank = int(os.environ.get("RANK", "0") or 0)
    try:
        result = run(args)
    except AxxError as e:
        prefix = f"[rank {rank}] " if int(os.environ.get("WORLD_SIZE", "1") or 1) > 1 else ""
        print(f"{prefix}axx.evaluate: error: {e}", file=sys.stderr)
        return next(code for cls, code in _EXIT if isinstance(e, cls))
    if rank == 0:
        _print_summary(result)
        if args.json_out:
            _write_json_atomic(Path(args.json_out), result)
    return 0


if __name__ == "__main__":
    from axx.evaluate import main as _main   # the imported module's, not this __main__ copy's

    sys.exit(_main())
