"""The demo's outputs: the console table, OUT/report.md and its plots (matplotlib, Agg)."""
from __future__ import annotations

from pathlib import Path

import torch

__all__ = ["format_table", "write_report", "plot_accuracy_vs_mae", "plot_error_heatmaps", "error_by_value"]

_COLUMNS = ("multiplier", "MAE %", "WCE %", "EP %", "rank", "accuracy %", "after fine-tuning %")


def _rows(summary: dict) -> list[list[str]]:
    rows = [["float (no quantization)", "-", "-", "-", "-", f"{summary['float_accuracy']:.2f}", ""]]
    for r in summary["results"]:
        name = r["name"] + ("" if r["signed"] else " (sign-magnitude)")
        rank = "full" if r["rank"] is None else str(r["rank"])
        ft = "" if r["finetuned_accuracy"] is None else f"{r['finetuned_accuracy']:.2f}"
        rows.append([name, f"{r['mae_percent']:.4f}", f"{r['wce_percent']:.3f}", f"{r['ep_percent']:.1f}", rank,
                     f"{r['accuracy']:.2f}", ft])
    return rows


def format_table(summary: dict) -> str:
    """The results as an aligned plain-text table."""
    rows = [list(_COLUMNS)] + _rows(summary)
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    lines = []
    for j, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _markdown_table(summary: dict) -> str:
    rows = _rows(summary)
    head = "| " + " | ".join(_COLUMNS) + " |"
    sep = "| " + " | ".join(["---"] + ["---:"] * (len(_COLUMNS) - 1)) + " |"
    return "\n".join([head, sep] + ["| " + " | ".join(r) + " |" for r in rows])


def error_by_value(m) -> torch.Tensor:
    """``lut - a*b`` as a (2^bits_a, 2^bits_b) int64 tensor ordered by operand value
    (rows: a from the most negative up for signed tables; columns: b)."""
    lut = m.lut.to(torch.int64)
    na, nb = lut.shape
    if m.is_signed:
        va, vb = torch.arange(na) - na // 2, torch.arange(nb) - nb // 2
        lut = lut[va & (na - 1)][:, vb & (nb - 1)]
    else:
        va, vb = torch.arange(na), torch.arange(nb)
    return lut - va[:, None] * vb[None, :]


def plot_accuracy_vs_mae(summary: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, r in enumerate(sorted(summary["results"], key=lambda r: r["mae_percent"])):
        ax.scatter(r["mae_percent"], r["accuracy"], color="tab:blue" if r["signed"] else "tab:orange", zorder=3,
                   label="signed" if r["signed"] else "unsigned (sign-magnitude)")
        # staggered labels: most designs sit close together near the float accuracy
        ax.annotate(r["name"], (r["mae_percent"], r["accuracy"]), fontsize=6, xytext=(3, -14 - 9 * (i % 5)),
                    textcoords="offset points", arrowprops=dict(arrowstyle="-", lw=0.3, color="gray"))
        if r["finetuned_accuracy"] is not None:
            ax.annotate("", xy=(r["mae_percent"], r["finetuned_accuracy"]), xytext=(r["mae_percent"], r["accuracy"]),
                        arrowprops=dict(arrowstyle="->", color="tab:green"))
            ax.scatter(r["mae_percent"], r["finetuned_accuracy"], color="tab:green", marker="*", s=80, zorder=3,
                       label="after fine-tuning")
    ax.axhline(summary["float_accuracy"], color="gray", ls="--", lw=1, label="float")
    ax.set_xscale("symlog", linthresh=1e-2)
    ax.set_xlim(left=-0.003)
    ax.set_xlabel("MAE % (of 2^16)")
    ax.set_ylabel("test accuracy %")
    ax.set_title(f"ViT on Fashion-MNIST ({summary['test_images']} test images): accuracy vs MAE")
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    ax.legend(uniq.values(), uniq.keys(), fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_error_heatmaps(tables: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(tables)
    cols = min(4, len(names))
    rows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 3.1 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        m = tables[name]
        e = error_by_value(m).float()
        lim = max(1.0, float(e.abs().max()))
        na, nb = e.shape
        lo_a, lo_b = (-(na // 2), -(nb // 2)) if m.is_signed else (0, 0)
        im = ax.imshow(e.numpy(), cmap="RdBu_r", vmin=-lim, vmax=lim, origin="lower",
                       extent=(lo_b, lo_b + nb, lo_a, lo_a + na), interpolation="nearest")
        ax.axis("on")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("b", fontsize=7)
        ax.set_ylabel("a", fontsize=7)
        ax.tick_params(labelsize=6)
        cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        cb.ax.tick_params(labelsize=6)
    fig.suptitle("error lut[a][b] - a*b", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(out: Path, summary: dict, tables: dict) -> Path:
    """OUT/report.md with accuracy_vs_mae.png and error_heatmaps.png beside it."""
    out = Path(out)
    plot_accuracy_vs_mae(summary, out / "accuracy_vs_mae.png")
    plot_error_heatmaps(tables, out / "error_heatmaps.png")
    ft = summary["finetune"]
    lines = [
        "# axx demo: approximate multipliers in a ViT on Fashion-MNIST",
        "",
        f"Shipped ViT (patch 7, width 64, depth 4), {summary['test_images']} Fashion-MNIST test images. "
        f"Every product approximated ({summary['approximate_products']} layers: the patch-embedding conv, "
        f"all Linear layers and both attention matmuls of every block); symmetric int8, weights per output "
        f"channel, activations per tensor with {summary['calibration']} calibration on "
        f"{summary['calibration_images']} training images. Unsigned multipliers run in sign-magnitude mode.",
        "",
        f"- float accuracy: **{summary['float_accuracy']:.2f}%**",
        f"- int8 with the exact table: **{summary['exact_int8_accuracy']:.2f}%** "
        f"({summary['exact_int8_accuracy'] - summary['float_accuracy']:+.2f} points)",
        f"- fine-tuning under the multiplier that loses most, **{ft['multiplier']}**: {ft['steps']} steps "
        f"(straight-through backward, lr {ft['lr']}, batch {ft['batch_size']}), {ft['before']:.2f}% -> **{ft['after']:.2f}%** "
        f"(training loss {ft['loss_first']:.3f} -> {ft['loss_last']:.3f}, {ft['seconds']:.0f} s)",
        "",
        _markdown_table(summary),
        "",
        "MAE % and WCE % are normalised by 2^16 (EvoApproxLib's convention); EP % is the share of operand "
        "pairs with an error; rank is the exact rank of lut - a*b (\"full\": above 8, run through the lookup "
        "kernel; otherwise the ops run rank + 1 exact GEMMs).",
        "",
        "## Sources",
        "",
        "| multiplier | loaded from |",
        "| --- | --- |",
    ]
    for r in summary["results"]:
        lines.append(f"| {r['name']} | {', '.join(r['sources'])} |")
    lines += [
        "",
        "Sources listed together gave identical tables.",
        "",
        "## Accuracy vs MAE",
        "",
        "![accuracy vs MAE](accuracy_vs_mae.png)",
        "",
        "## Error of each multiplier",
        "",
        "![error heatmaps](error_heatmaps.png)",
        "",
        f"Total time {summary['seconds']:.0f} s on {summary['threads']} torch threads.",
        "",
    ]
    path = out / "report.md"
    path.write_text("\n".join(lines))
    return path
