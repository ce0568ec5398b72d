"""The demo's report: the accuracy plot shows small accuracy differences next to a collapse, its
labels do not overlap, the error maps are oriented as `axx heatmap` draws them, and the text
counts correctly ("1 torch thread")."""
from __future__ import annotations

import itertools

import matplotlib
import pytest
import torch

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

import axx  # noqa: E402
from axx.apps import report  # noqa: E402

# The shipped demo's results (docs/python-ml.md): most designs within 1.5 points of the exact
# table, one collapsing to 10%.
ROWS = [
    ("mul8s_exact", True, 0.0, 88.35, None), ("mul8u_exact", False, 0.0, 88.35, None),
    ("mul8s_trunc4", True, 0.0187, 88.20, None), ("mul8s_trunc6c", True, 0.0647, 88.09, None),
    ("mul8s_trunc8", True, 0.8793, 10.00, 78.64), ("mul8u_trunc6", False, 0.1225, 87.91, None),
    ("mul8s_bam_h1v6", True, 0.1170, 87.05, None), ("mul8s_perf2", True, 0.1465, 88.27, None),
    ("mul8s_lor6", True, 0.0501, 87.98, None), ("mul8s_drum6", True, 0.0833, 88.35, None),
    ("mul8s_drum4", True, 0.3673, 87.87, None), ("mul8u_drum4", False, 1.4127, 87.87, None),
]


def summary(threads: int = 1) -> dict:
    results = [{"name": n, "signed": s, "sources": [f"builtin:{n}"], "mae_percent": mae, "wce_percent": 0.5,
                "ep_percent": 50.0, "rank": 2, "accuracy": acc, "eval_seconds": 1.0, "finetuned_accuracy": ft}
               for n, s, mae, acc, ft in ROWS]
    return {"test_images": 10000, "float_accuracy": 88.39, "exact_int8_accuracy": 88.35,
            "exact_within_half_point": True, "calibration": "percentile", "calibration_images": 4000,
            "approximate_products": 34, "results": results, "seconds": 134.0, "threads": threads,
            "finetune": {"multiplier": "mul8s_trunc8", "steps": 200, "lr": 1e-3, "batch_size": 64, "before": 10.0,
                         "after": 78.64, "seconds": 30.0, "loss_first": 2.3, "loss_last": 0.6}}


@pytest.fixture
def saved_figures(monkeypatch):
    """The figures the report functions save, kept open for inspection."""
    figures = []
    original = Figure.savefig

    def keep(self, *args, **kwargs):
        figures.append(self)
        return original(self, *args, **kwargs)
    monkeypatch.setattr(Figure, "savefig", keep)
    return figures


def test_accuracy_plot_separates_small_differences_and_labels_do_not_overlap(tmp_path, saved_figures):
    report.plot_accuracy_vs_mae(summary(), tmp_path / "acc.png")
    assert (tmp_path / "acc.png").stat().st_size > 0
    fig = saved_figures[0]
    ax = fig.axes[0]
    canvas = FigureCanvasAgg(fig)  # plt.close() detached the figure from its canvas
    canvas.draw()
    renderer = canvas.get_renderer()
    # The 0.15-point gap between mul8s_exact and mul8s_trunc4 must be visible although mul8s_trunc8
    # lost 78 points: at least 20 pixels apart vertically.
    def marker_px(mae):  # display y of the marker at that MAE, whatever the data's y means
        (y,) = {float(y) for c in ax.collections for x, y in c.get_offsets() if abs(x - mae) < 1e-9}
        return ax.transData.transform((mae, y))[1]
    gap = marker_px(0.0) - marker_px(0.0187)
    assert gap >= 20, f"0.15 points are only {gap:.1f} px apart"
    # Point labels: none overlaps another.
    boxes = [t.get_window_extent(renderer) for t in ax.texts if isinstance(t, Annotation) and t.get_text()]
    assert len(boxes) >= 10
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), "two point labels overlap"


def test_error_maps_put_a_up_and_b_right(tmp_path, saved_figures):
    # 2x2-bit signed table, values -2..1; one error at a = 1 (largest), b = -2 (smallest).
    lut = torch.tensor([[a * b for b in (0, 1, -2, -1)] for a in (0, 1, -2, -1)], dtype=torch.int32)
    lut[1, 2] += 3
    m = axx.Multiplier.from_lut(lut, signed=True, name="t")
    report.plot_error_heatmaps({"t": m}, tmp_path / "heat.png")
    image = saved_figures[0].axes[0].images[0]
    assert image.origin == "lower"                      # row 0 (most negative a) at the bottom
    left, right, bottom, top = image.get_extent()
    assert (left, right, bottom, top) == (-2.5, 1.5, -2.5, 1.5)
    data = image.get_array()
    assert data[-1][0] == 3                             # top row (a = 1), left column (b = -2)
    assert float(abs(data).sum()) == 3


def test_report_counts_threads_in_words(tmp_path):
    m = axx.Multiplier.builtin("mul8s_exact")
    for threads, words in ((1, "on 1 torch thread."), (2, "on 2 torch threads.")):
        text = report.write_report(tmp_path, summary(threads), {"mul8s_exact": m}).read_text()
        assert words in text
