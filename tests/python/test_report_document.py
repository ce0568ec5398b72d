"""axx.apps.report: the error-by-value matrix against a loop over operand values, the console and
Markdown tables of a constructed summary, and the files write_report leaves."""
from __future__ import annotations

import json

import pytest
import torch

import axx
from axx.apps.report import error_by_value, format_table, write_report


@pytest.mark.parametrize("name", ["mul8s_trunc4", "mul8u_trunc6"])
def test_error_by_value_orders_rows_and_columns_by_operand_value(name):
    m = axx.Multiplier.builtin(name)
    lut = m.lut.long()
    e = error_by_value(m)
    assert e.shape == (256, 256) and e.dtype == torch.int64
    lo = -128 if m.is_signed else 0
    for i in range(0, 256, 17):
        for j in range(0, 256, 13):
            a, b = lo + i, lo + j
            assert e[i, j].item() == lut[a & 255, b & 255].item() - a * b, (a, b)


def summary_of_two():
    return {
        "test_images": 100, "float_accuracy": 90.0, "exact_int8_accuracy": 89.5,
        "exact_within_half_point": True, "calibration": "max", "calibration_images": 64,
        "approximate_products": 18, "seconds": 3.0, "threads": 1,
        "finetune": {"multiplier": "t4", "steps": 2, "lr": 0.001, "batch_size": 8, "before": 80.0,
                     "after": 81.25, "seconds": 1.0, "loss_first": 1.5, "loss_last": 1.25},
        "results": [
            {"name": "exact", "signed": True, "sources": ["builtin:mul8s_exact"], "mae_percent": 0.0,
             "wce_percent": 0.0, "ep_percent": 0.0, "rank": 0, "accuracy": 89.5, "finetuned_accuracy": None},
            {"name": "t4", "signed": False, "sources": ["builtin:x", "src/x.c"], "mae_percent": 0.01234,
             "wce_percent": 0.5, "ep_percent": 40.0, "rank": None, "accuracy": 80.0, "finetuned_accuracy": 81.25},
        ],
    }


def test_format_table_is_the_aligned_text():
    assert format_table(summary_of_two()) == "\n".join([
        "multiplier                MAE %  WCE %  EP %  rank  accuracy %  after fine-tuning %",
        "-----------------------  ------  -----  ----  ----  ----------  -------------------",
        "float (no quantization)       -      -     -     -       90.00",
        "exact                    0.0000  0.000   0.0     0       89.50",
        "t4 (sign-magnitude)      0.0123  0.500  40.0  full       80.00                81.25",
    ])


def test_write_report_leaves_markdown_and_two_pngs(tmp_path):
    tables = {"exact": axx.Multiplier.builtin("mul8s_exact"), "t4": axx.Multiplier.builtin("mul8u_trunc6")}
    write_report(tmp_path, summary_of_two(), tables)
    for png in ("accuracy_vs_mae.png", "error_heatmaps.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    md = (tmp_path / "report.md").read_text()
    assert "| t4 (sign-magnitude) | 0.0123 | 0.500 | 40.0 | full | 80.00 | 81.25 |" in md
    assert "| t4 | builtin:x, src/x.c |" in md
    assert "80.00% -> **81.25%**" in md
    assert "![accuracy vs MAE](accuracy_vs_mae.png)" in md
    json.dumps(summary_of_two())  # the summary the demo writes as results.json stays JSON
