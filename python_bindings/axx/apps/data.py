"""Fashion-MNIST from Debian's ``dataset-fashion-mnist`` package, read by our own IDX reader.

IDX (the MNIST file format): a big-endian header ``00 00 TT NN`` (TT the element type, NN
the number of dimensions), then NN big-endian uint32 sizes, then the elements, row major,
big endian. Files may be gzip-compressed (Debian ships ``*-ubyte.gz``); the reader
detects gzip by its magic bytes, not by the file name.
"""
from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import torch

__all__ = ["IdxError", "read_idx", "write_idx", "FASHION_MNIST_DIR", "FASHION_MNIST_CLASSES",
           "load_fashion_mnist", "normalize", "batches"]

FASHION_MNIST_DIR = Path(os.environ.get("AXX_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
# Mean and standard deviation of the training pixels scaled to [0, 1].
_MEAN, _STD = 0.2860, 0.3530

# IDX type code -> big-endian numpy dtype
_IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


class IdxError(ValueError):
    """A malformed IDX file; the message names the file."""


def _read_bytes(path: Path) -> bytes:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise IdxError(f"{path}: corrupt gzip stream ({e})") from None
    return raw


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (plain or gzip) into a numpy array of its native type and shape."""
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise IdxError(f"{path}: not an IDX file (bad magic number)")
    type_code, ndim = raw[2], raw[3]
    if type_code not in _IDX_TYPES:
        raise IdxError(f"{path}: unknown IDX element type 0x{type_code:02x}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IdxError(f"{path}: truncated header ({ndim} dimensions declared)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise IdxError(f"{path}: expected {expected} data bytes for shape {shape}, found {len(raw) - header}")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array: np.ndarray, compress: bool = False) -> None:
    """Write ``array`` as an IDX file (gzip-compressed when ``compress``)."""
    array = np.asarray(array)
    codes = {v.newbyteorder("=").str[1:]: k for k, v in _IDX_TYPES.items()}
    key = array.dtype.newbyteorder("=").str[1:]
    if key not in codes:
        raise ValueError(f"write_idx: dtype {array.dtype} has no IDX type")
    code = codes[key]
    body = bytes([0, 0, code, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    body += np.ascontiguousarray(array, dtype=_IDX_TYPES[code]).tobytes()
    with open(path, "wb") as f:
        f.write(gzip.compress(body) if compress else body)


def _find(root: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem):
        if (root / name).exists():
            return root / name
    raise FileNotFoundError(
        f"Fashion-MNIST file {stem}[.gz] not found in {root}; install Debian's dataset-fashion-mnist "
        f"(apt-get install dataset-fashion-mnist) or set AXX_FASHION_MNIST to a folder holding the IDX files")


def load_fashion_mnist(split: str = "train", root: str | os.PathLike | None = None,
                       normalized: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (N, 1, 28, 28) and labels (N,) int64 of the ``train`` or ``test`` split.

    ``normalized``: float32 images standardised with the training mean and std;
    otherwise the raw uint8 pixels.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got '{split}'")
    root = Path(root) if root is not None else FASHION_MNIST_DIR
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(_find(root, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find(root, f"{prefix}-labels-idx1-ubyte"))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise IdxError(f"{root}: images {images.shape} and labels {labels.shape} do not match")
    x = torch.from_numpy(images.copy()).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return (normalize(x), y) if normalized else (x, y)


def normalize(images_u8: torch.Tensor) -> torch.Tensor:
    """uint8 pixels -> standardised float32."""
    return (images_u8.float() / 255.0 - _MEAN) / _STD


def batches(images: torch.Tensor, labels: torch.Tensor, batch_size: int, shuffle: bool = False,
            generator: torch.Generator | None = None):
    """Yield (images, labels) batches; a fresh permutation per call when ``shuffle``."""
    n = len(images)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for i in range(0, n, batch_size):
        idx = order[i:i + batch_size]
        yield images[idx], labels[idx]
