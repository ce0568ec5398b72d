"""Approximation-aware retraining lowers the loss (both backward modes)."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import axx
from axx.apps.models import ViT
from axx.apps.train import evaluate, train_steps

_v = torch.where(torch.arange(256) >= 128, torch.arange(256) - 256, torch.arange(256))
# a coarse approximate multiplier: products rounded down to multiples of 256, plus a bias
COARSE = axx.Multiplier.from_lut((((_v[:, None] * _v[None, :]) >> 8 << 8) + 64).to(torch.int32), name="coarse")


def task(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g)
    w = torch.randn(8, 3, generator=g)
    return x, (x @ w).argmax(1)


@pytest.mark.parametrize("grad", ["ste", "lut"])
def test_retraining_with_approximate_multiplier_lowers_loss(grad):
    torch.manual_seed(0)
    x, y = task()
    model = axx.approximate(nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3)), COARSE, grad=grad)
    axx.calibrate(model, [x], method="max")
    with torch.no_grad():
        before = F.cross_entropy(model(x), y).item()
    losses = train_steps(model, x, y, steps=60, lr=1e-2, weight_decay=0.0, batch_size=64, augment=False,
                         progress=False)
    with torch.no_grad():
        after = F.cross_entropy(model(x), y).item()
    assert after < 0.7 * before, (before, after)
    assert sum(losses[-10:]) < sum(losses[:10])


def test_train_steps_on_vit_and_evaluate():
    torch.manual_seed(0)
    x = torch.randn(64, 1, 28, 28)
    y = (x.mean(dim=(1, 2, 3)) > 0).long()
    model = ViT(depth=1)
    losses = train_steps(model, x, y, steps=30, lr=3e-3, batch_size=32, augment=False, progress=False)
    assert len(losses) == 30 and sum(losses[-5:]) < sum(losses[:5])
    assert not model.training
    acc = evaluate(model, x, y, batch_size=50)
    assert 0.0 <= acc <= 100.0 and acc > 60.0
