"""Progress bars: nothing written when stderr is not a terminal (logs), throttled redraws on one;
every loop of the package (evaluate, train_steps, calibrate) goes through the one helper."""
from __future__ import annotations

import io

import torch
from torch import nn

import axx
from axx._progress import MIN_INTERVAL_S, progress
from axx.apps.train import evaluate, train_steps


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_output_when_not_a_terminal():
    log = io.StringIO()
    for _ in progress(range(10000), desc="work", file=log):
        pass
    bar = progress(total=100, desc="manual", file=log)
    for _ in range(100):
        bar.update(1)
    bar.close()
    assert log.getvalue() == ""


def test_terminal_redraws_are_throttled():
    tty = FakeTerminal()
    for _ in progress(range(200000), desc="work", file=tty):
        pass
    # A tight loop of 200k steps: a handful of redraws at most every MIN_INTERVAL_S, not thousands.
    assert "work" in tty.getvalue()
    assert tty.getvalue().count("\r") < 20
    assert MIN_INTERVAL_S >= 0.5


def _tiny_classifier():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 4))


def test_loops_write_nothing_into_a_captured_stderr(capfd):
    # pytest's capture is not a terminal, as a log file is not: no bars in it.
    x, y = torch.randn(64, 1, 4, 4), torch.randint(0, 4, (64,))
    model = _tiny_classifier()
    evaluate(model, x, y, batch_size=8, progress=True, desc="eval")
    train_steps(model, x, y, steps=20, batch_size=8, progress=True, desc="train", augment=False)
    approx = axx.approximate(_tiny_classifier(), axx.Multiplier.builtin("mul8s_exact"))
    axx.calibrate(approx, [x[:16], x[16:32]], method="max", progress=True)
    out, err = capfd.readouterr()
    assert err == ""
    assert out == ""
