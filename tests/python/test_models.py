"""The compact ViT and its shipped checkpoint."""
import pytest
import torch

from axx.apps.data import FASHION_MNIST_DIR, load_fashion_mnist
from axx.apps.models import CHECKPOINT, ViT, vit_fmnist
from axx.apps.train import evaluate


def test_parameter_count_and_shapes():
    model = ViT()
    assert sum(p.numel() for p in model.parameters()) == 139018
    assert model(torch.randn(3, 1, 28, 28)).shape == (3, 10)
    assert model.pos_embed.shape == (1, 17, 64)
    small = ViT(image_size=16, patch_size=4, in_chans=3, num_classes=7, dim=32, depth=1, heads=2, mlp_dim=64)
    assert small(torch.randn(2, 3, 16, 16)).shape == (2, 7)
    with pytest.raises(ValueError, match="image_size 30 is not a multiple of patch_size 7"):
        ViT(image_size=30)


def test_shipped_checkpoint_loads():
    assert CHECKPOINT.exists(), f"{CHECKPOINT} missing: train it with python -m axx.train"
    model = vit_fmnist()
    assert not model.training
    assert model(torch.zeros(1, 1, 28, 28)).shape == (1, 10)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        vit_fmnist(checkpoint="/nonexistent/vit.pt")


@pytest.mark.skipif(not FASHION_MNIST_DIR.exists(), reason="dataset-fashion-mnist not installed")
def test_shipped_checkpoint_accuracy():
    x, y = load_fashion_mnist("test")
    torch.manual_seed(0)
    idx = torch.randperm(len(x))[:2000]
    assert evaluate(vit_fmnist(), x[idx], y[idx], batch_size=1000) > 85.0
