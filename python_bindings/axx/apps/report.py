"""The demo's outputs: the console table, OUT/report.md and its plots (matplotlib, Agg)."""
from __future__ import annotations

from pathlib import Path

import torch

__all__ = ["format_table", "write_report", "plot_accuracy_vs_mae", "plot_error_heatmaps", "error_by_value"]

_COLUMNS = ("multiplier", "MAE %", "WCE %", "EP %", "rank", "accuracy %", "after fine-tuning %")


def _count(n: int, noun: str) -> str:
    """'1 torch thread', '2 torch threads'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


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


def _sqrt_norm(lim: float):
    """Colour norm of the error heatmaps: symmetric, square-root intensity (as `axx heatmap`), so
    the few largest errors do not wash out the rest."""
    import numpy as np
    from matplotlib.colors import FuncNorm
    return FuncNorm((lambda x: np.sign(x) * np.sqrt(np.abs(x)), lambda y: np.sign(y) * y * y),
                    vmin=-lim, vmax=lim)


def _place_labels(ax, points, texts, fontsize):
    """Put texts[i] next to points[i] (data coordinates) where it overlaps no marker and no label
    placed so far, trying offsets around the point in order; the last resort is the first offset."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    occupied = []
    for x, y in points:  # markers: about 8 px across
        px, py = to_px((x, y))
        occupied.append((px - 5, py - 5, px + 5, py + 5))
    offsets = [(6, 4), (6, -12), (-6, 4), (-6, -12), (6, 14), (6, -22), (-6, 14), (-6, -22), (6, 24), (-6, 24),
               (6, -32), (-6, -32)]
    for (x, y), text in zip(points, texts):
        best = None
        for dx, dy in offsets:
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                            ha="left" if dx > 0 else "right", va="bottom")
            bb = t.get_window_extent(renderer)
            box = (bb.x0 - 1, bb.y0 - 1, bb.x1 + 1, bb.y1 + 1)
            inside = ax.get_window_extent(renderer)
            free = (box[0] >= inside.x0 and box[2] <= inside.x1 and box[1] >= inside.y0 and box[3] <= inside.y1 and
                    not any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in occupied))
            if free:
                best = (t, box)
                break
            t.remove()
        if best is None:
            dx, dy = offsets[0]
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                            ha="left", va="bottom")
            bb = t.get_window_extent(renderer)
            best = (t, (bb.x0, bb.y0, bb.x1, bb.y1))
        occupied.append(best[1])


def plot_accuracy_vs_mae(summary: dict, path: Path) -> None:
    """Accuracy change against the int8 model with the exact table (percentage points, symmetric
    log scale, so a 0.1-point loss and a 78-point collapse are both visible) vs MAE %. Each design
    is numbered next to its marker; the key beside the plot names it with its accuracy."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    exact = summary["exact_int8_accuracy"]
    results = sorted(summary["results"], key=lambda r: (r["mae_percent"], -r["accuracy"]))
    # Designs with the same MAE and accuracy share a marker and a label ("1, 2").
    groups: list[list[int]] = []
    for i, r in enumerate(results):
        for g in groups:
            q = results[g[0]]
            if q["mae_percent"] == r["mae_percent"] and q["accuracy"] == r["accuracy"]:
                g.append(i)
                break
        else:
            groups.append([i])

    # The key beside the plot: one line per design (two with fine-tuning), in columns of at most
    # KEY_ROWS lines; the figure grows with it so that no line is cut off.
    key_lines = len(results) + sum(r["finetuned_accuracy"] is not None for r in results) + 5
    key_rows = 45
    key_cols = max(1, -(-key_lines // key_rows))
    line_in = 7.5 * 1.25 / 72                       # monospace 7.5 pt lines
    height = max(5.2, min(key_lines, key_rows) * line_in / 0.79 + 0.3)
    plot_w, key_w = 5.6, 3.7                        # inches
    width = 0.9 + plot_w + 0.3 + key_w * key_cols
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0.9 / width, 0.11, plot_w / width, 0.79))
    keys = [fig.add_axes(((1.2 + plot_w + key_w * c) / width, 0.11, key_w / width, 0.79)) for c in range(key_cols)]
    for k in keys:
        k.axis("off")
    for g in groups:
        r = results[g[0]]
        ax.scatter(r["mae_percent"], r["accuracy"] - exact, color="tab:blue" if r["signed"] else "tab:orange",
                   zorder=3, s=28, label="signed" if r["signed"] else "unsigned (sign-magnitude)")
        for i in g:
            ft = results[i]["finetuned_accuracy"]
            if ft is not None:
                ax.annotate("", xy=(r["mae_percent"], ft - exact), xytext=(r["mae_percent"], r["accuracy"] - exact),
                            arrowprops=dict(arrowstyle="->", color="tab:green", lw=1.2))
                ax.scatter(r["mae_percent"], ft - exact, color="tab:green", marker="*", s=90, zorder=3,
                           label="after fine-tuning")
    ax.axhline(summary["float_accuracy"] - exact, color="gray", ls="--", lw=1, label="float model")
    ax.axhline(0, color="black", lw=0.6)
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.set_xscale("symlog", linthresh=1e-2)
    ax.set_yscale("symlog", linthresh=0.1, linscale=0.5)
    ax.set_xlim(-0.002, max(0.1, 2.0 * max(r["mae_percent"] for r in results)))
    lows = [r["accuracy"] - exact for r in results] + [summary["float_accuracy"] - exact]
    highs = lows + [r["finetuned_accuracy"] - exact for r in results if r["finetuned_accuracy"] is not None]
    lo, hi = min(-0.2, 1.8 * min(lows)), max(0.6, 1.8 * max(highs))
    ax.set_ylim(lo, hi)
    steps = [0.1, 0.3, 1, 3, 10, 30, 100]
    ax.yaxis.set_major_locator(FixedLocator([-v for v in steps if -v >= lo] + [0] + [v for v in steps if v <= hi]))
    ax.xaxis.set_major_locator(FixedLocator([0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(plain)
        axis.set_minor_locator(NullLocator())
    ax.set_xlabel("MAE % (of 2^16, symmetric log scale)")
    ax.set_ylabel(f"accuracy − int8 exact table ({exact:.2f}%), points")
    ax.set_title(f"ViT on Fashion-MNIST, {summary['test_images']} test images: accuracy change vs MAE", fontsize=11)
    ax.grid(alpha=0.3, which="both")
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    ax.legend(uniq.values(), uniq.keys(), fontsize=8, loc="lower left")
    points = [(results[g[0]]["mae_percent"], results[g[0]]["accuracy"] - exact) for g in groups]
    _place_labels(ax, points, [", ".join(str(i + 1) for i in g) for g in groups], fontsize=8)

    lines = [f"{'':>2}  {'design':<22} {'accuracy':>8} {'change':>7}"]
    for i, r in enumerate(results):
        name = r["name"] + ("" if r["signed"] else " (s-m)")
        lines.append(f"{i + 1:>2}  {name:<22} {r['accuracy']:7.2f}% {r['accuracy'] - exact:+7.2f}")
        ft = r["finetuned_accuracy"]
        if ft is not None:
            lines.append(f"{'':>2}  {'  after fine-tuning':<22} {ft:7.2f}% {ft - exact:+7.2f}")
    lines += ["", f"float model {summary['float_accuracy']:.2f}%,", f"int8 with the exact table {exact:.2f}%",
              "(s-m): unsigned, in sign-magnitude mode"]
    for c, k in enumerate(keys):
        chunk = lines[c * key_rows:(c + 1) * key_rows]
        k.text(0, 1, "\n".join(chunk), va="top", ha="left", family="monospace", fontsize=7.5, transform=k.transAxes)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_error_heatmaps(tables: dict, path: Path) -> None:
    """One error map per table, oriented as `axx heatmap` draws it: a on the vertical axis growing
    upwards, b on the horizontal axis, both by value; same colours and square-root scale."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(tables)
    cols = min(4, len(names))
    rows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.3 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        m = tables[name]
        e = error_by_value(m).float()
        lim = max(1.0, float(e.abs().max()))
        na, nb = e.shape
        lo_a, lo_b = (-(na // 2), -(nb // 2)) if m.is_signed else (0, 0)
        im = ax.imshow(e.numpy(), cmap="RdBu_r", norm=_sqrt_norm(lim), origin="lower",
                       extent=(lo_b - 0.5, lo_b + nb - 0.5, lo_a - 0.5, lo_a + na - 0.5), interpolation="nearest")
        ax.axis("on")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("b", fontsize=7, labelpad=1)
        ax.set_ylabel("a", fontsize=7, labelpad=1)
        ax.tick_params(labelsize=6)
        cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        cb.ax.tick_params(labelsize=6)
    fig.suptitle("error lut[a][b] − a·b in product units (square-root colour scale; a up, b right)",
                 fontsize=11)
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
        f"Total time {summary['seconds']:.0f} s on {_count(summary['threads'], 'torch thread')}.",
        "",
    ]
    path = out / "report.md"
    path.write_text("\n".join(lines))
    return path
