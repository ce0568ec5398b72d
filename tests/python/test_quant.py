"""Quantizers and calibrators on constructed distributions."""
import math

import numpy as np
import pytest
import torch
from torch import nn

import axx
from axx.nn import ApproxLinear, ApproxMatmul
from axx.quant import (QMAX, HistogramObserver, TensorQuantizer, amax_entropy, amax_max, amax_mse,
                       amax_percentile, calibrate, quantize, weight_scale)

EXACT = axx.Multiplier.from_lut(
    (lambda v: v[:, None] * v[None, :])(torch.where(torch.arange(256) >= 128, torch.arange(256) - 256,
                                                    torch.arange(256))).to(torch.int32), name="exact")


def hist_of(x, bins=2048):
    obs = HistogramObserver(bins)
    obs.update(torch.as_tensor(x))
    return obs


def test_quantize_rounds_and_clamps_narrow_range():
    s = torch.tensor(0.5)
    x = torch.tensor([0.0, 0.24, 0.26, -0.74, 63.4, 63.6, 1000.0, -1000.0])
    assert quantize(x, s).tolist() == [0, 0, 1, -1, 127, 127, 127, -127]
    assert quantize(x, s, narrow_range=False).tolist() == [0, 0, 1, -1, 127, 127, 127, -128]
    assert quantize(x, s).dtype == torch.int8


def test_weight_scale_per_channel_and_tensor():
    w = torch.tensor([[1.0, -2.0], [0.5, 0.25], [0.0, 0.0]])
    s = weight_scale(w)
    assert s.shape == (3,)
    torch.testing.assert_close(s[:2], torch.tensor([2.0, 0.5]) / QMAX)
    assert s[2] > 0                                   # an all-zero channel still has a usable scale
    torch.testing.assert_close(weight_scale(w, per_channel=False), torch.tensor(2.0 / QMAX))


def test_histogram_observer_grows_and_counts_everything():
    obs = HistogramObserver(bins=100, max_bins=400)
    obs.update(torch.linspace(-1, 1, 1001))
    width = obs.width
    obs.update(torch.tensor([3.5, -2.0]))            # extends with the same width
    assert obs.width == width and len(obs.hist) == 350
    obs.update(torch.tensor([10.0]))                 # would need 1000 bins > 400: merges pairs
    assert obs.width == 4 * width and len(obs.hist) <= 400
    assert obs.hist.sum() == 1004 and obs.amax == 10.0


def test_max_calibrator_on_known_data():
    obs = hist_of(torch.tensor([0.1, -3.0, 2.0, 0.0]))
    assert amax_max(obs.hist, obs.edges) == pytest.approx(3.0)
    layer = ApproxLinear(4, 2, multiplier=EXACT)
    data = [torch.tensor([[0.5, -1.0, 0.25, 0.0]]), torch.tensor([[0.1, 0.2, -2.5, 0.3]])]
    calibrate(layer, data, method="max")
    assert layer.input_quantizer.scale.item() == pytest.approx(2.5 / QMAX)


def test_percentile_calibrator_on_uniform():
    x = torch.rand(200000, generator=torch.Generator().manual_seed(0)) * 2 - 1     # U(-1, 1): |x| ~ U(0, 1)
    obs = hist_of(x)
    assert amax_percentile(obs.hist, obs.edges, 99.0) == pytest.approx(0.99, abs=3e-3)
    assert amax_percentile(obs.hist, obs.edges, 50.0) == pytest.approx(0.50, abs=3e-3)
    with pytest.raises(axx.UsageError, match=r"^amax_percentile: percentile must be in \(0, 100\], got 0$"):
        amax_percentile(obs.hist, obs.edges, 0)


@pytest.mark.parametrize("fn", [amax_mse, amax_entropy], ids=["mse", "entropy"])
def test_mse_and_entropy_clip_outliers_of_a_gaussian(fn):
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(500000, generator=g), torch.tensor([30.0, -30.0, 30.0])])
    obs = hist_of(x)
    amax = fn(obs.hist, obs.edges)
    assert amax_max(obs.hist, obs.edges) == pytest.approx(30.0)
    assert 2.5 < amax < 15.0, amax                    # clips the 3 outliers, keeps the bulk


def test_mse_prefers_full_range_for_uniform():
    x = torch.rand(100000, generator=torch.Generator().manual_seed(1))
    obs = hist_of(x)
    assert amax_mse(obs.hist, obs.edges) > 0.97


def test_empty_histograms():
    h, e = np.zeros(10), np.arange(11.0)
    assert amax_percentile(h, e) == 0.0 and amax_mse(h, e) == 0.0 and amax_entropy(h, e) == 0.0


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ApproxLinear(4, 3, multiplier=EXACT)
        self.mm = ApproxMatmul(EXACT)

    def forward(self, x):
        h = self.fc(x)
        return self.mm(h.unsqueeze(-1), h.unsqueeze(-2) * 10)


@pytest.mark.parametrize("method", ["max", "percentile", "mse", "entropy"])
def test_calibrate_sets_every_activation_scale(method):
    torch.manual_seed(0)
    model = TwoLayer().train()
    data = [(torch.randn(16, 4), torch.zeros(16)) for _ in range(3)]   # (inputs, targets) pairs
    calibrate(model, data, method=method)
    assert model.training                                              # mode restored
    for q in (model.fc.input_quantizer, model.mm.input_quantizer, model.mm.other_quantizer):
        assert q.calibrated and q.observer is None
    assert model.mm.other_quantizer.scale > 5 * model.mm.input_quantizer.scale


def test_calibrate_uses_num_batches_and_float_forward():
    model = TwoLayer()
    seen = []

    def data():
        for i in range(10):
            seen.append(i)
            yield torch.full((2, 4), float(i + 1))

    calibrate(model, data(), method="max", num_batches=2)
    # batches 1 and 2 (values 1, 2) were used; the third was fetched to learn the limit
    assert model.fc.input_quantizer.scale.item() == pytest.approx(2.0 / QMAX)
    assert len(seen) == 3


def test_calibrate_errors():
    with pytest.raises(axx.UsageError, match="^axx.calibrate: unknown calibration method='minmax'; choose one of max, percentile, mse, entropy$"):
        calibrate(TwoLayer(), [torch.zeros(1, 4)], method="minmax")
    with pytest.raises(axx.UsageError, match=r"^axx.calibrate: the model has no approximate layers; call axx.approximate\(model, ...\) first$"):
        calibrate(nn.Linear(2, 2), [torch.zeros(1, 2)])
    with pytest.raises(axx.UsageError, match="^axx.calibrate: data yielded no batches$"):
        calibrate(TwoLayer(), [])


def test_quantizer_state_dict_sets_calibrated():
    a, b = TensorQuantizer(), TensorQuantizer()
    a.set_amax(1.27)
    b.load_state_dict(a.state_dict())
    assert b.calibrated and math.isclose(b.scale.item(), 0.01, rel_tol=1e-6)
    assert "scale=0.01" in repr(b)
    b.reset()
    assert not b.calibrated and "scale=dynamic" in repr(b)
