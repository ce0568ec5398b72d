"""The IDX reader on tiny files written here, and on Debian's Fashion-MNIST when installed."""
import gzip

import numpy as np
import pytest
import torch

from axx.apps.data import (FASHION_MNIST_DIR, IdxError, batches, load_fashion_mnist, read_idx, write_idx)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("compress", [False, True])
def test_round_trip(tmp_path, dtype, compress):
    a = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    if dtype == np.uint8:
        a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / "a.idx"
    write_idx(path, a, compress=compress)
    b = read_idx(path)
    assert b.dtype == a.dtype and b.shape == a.shape and np.array_equal(a, b)


def test_known_bytes(tmp_path):
    # header 00 00 08 01, one dimension of 3, then the bytes; gzip detected by content
    raw = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 255])
    (tmp_path / "plain").write_bytes(raw)
    (tmp_path / "packed.bin").write_bytes(gzip.compress(raw))
    assert read_idx(tmp_path / "plain").tolist() == [7, 8, 255]
    assert read_idx(tmp_path / "packed.bin").tolist() == [7, 8, 255]
    big_endian = bytes([0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE])
    (tmp_path / "i16").write_bytes(big_endian)
    assert read_idx(tmp_path / "i16").tolist() == [258, -2]


def test_bad_files(tmp_path):
    cases = {
        "magic": (bytes([1, 0, 8, 1, 0, 0, 0, 1, 5]), "not an IDX file (bad magic number)"),
        "type": (bytes([0, 0, 7, 1, 0, 0, 0, 1, 5]), "unknown IDX element type 0x07"),
        "header": (bytes([0, 0, 8, 3, 0, 0, 0, 1]), "truncated header (3 dimensions declared)"),
        "data": (bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2]),
                 "expected 6 data bytes for shape (2, 3), found 2"),
    }
    for name, (raw, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(raw)
        with pytest.raises(IdxError) as e:
            read_idx(path)
        assert str(e.value) == f"{path}: {message}"


def test_fake_dataset_folder(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.arange(5, dtype=np.uint8), compress=True)
    x, y = load_fashion_mnist("test", tmp_path, normalized=False)
    assert x.shape == (5, 1, 28, 28) and x.dtype == torch.uint8 and torch.equal(x[:, 0], torch.from_numpy(images))
    assert y.tolist() == [0, 1, 2, 3, 4] and y.dtype == torch.int64
    xn, _ = load_fashion_mnist("test", tmp_path)
    assert xn.dtype == torch.float32
    with pytest.raises(FileNotFoundError, match="Fashion-MNIST file train-images-idx3-ubyte\\[.gz\\] not found"):
        load_fashion_mnist("train", tmp_path)
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'val'"):
        load_fashion_mnist("val", tmp_path)


def test_batches_cover_everything():
    x, y = torch.arange(10).float(), torch.arange(10)
    got = list(batches(x, y, 4, shuffle=True, generator=torch.Generator().manual_seed(0)))
    assert [len(b[1]) for b in got] == [4, 4, 2]
    assert sorted(torch.cat([b[1] for b in got]).tolist()) == list(range(10))


@pytest.mark.skipif(not (FASHION_MNIST_DIR / "t10k-labels-idx1-ubyte.gz").exists()
                    and not (FASHION_MNIST_DIR / "t10k-labels-idx1-ubyte").exists(),
                    reason="dataset-fashion-mnist not installed")
def test_real_fashion_mnist():
    x, y = load_fashion_mnist("test", normalized=False)
    assert x.shape == (10000, 1, 28, 28) and y.shape == (10000,)
    assert torch.bincount(y).tolist() == [1000] * 10
    xn, _ = load_fashion_mnist("test")
    assert abs(float(xn.mean())) < 0.05 and abs(float(xn.std()) - 1) < 0.05
