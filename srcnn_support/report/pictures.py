"""The report's pictures: side-by-side crops of each image and the throughput plot."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from srcnn_support.atomic import atomic_write_via

PICTURES = "pictures"


PLOT = "throughput.png"
RECORDED_PICTURES = "pictures-recorded-run"  # a recorded run's own outputs, never the reference's


def save_side_by_side(report_dir: Path, name: str, bicubic: np.ndarray, sr: np.ndarray, truth: np.ndarray,
                      crop: int = 64, zoom: int = 4, folder: str = PICTURES) -> Path:
    """Bicubic | SRCNN | ground truth, the same crop of each, enlarged with nearest neighbour."""
    top, left = _busiest_window(truth, crop)
    tiles = [Image.fromarray(a[top:top + crop, left:left + crop]).resize((crop * zoom, crop * zoom), Image.NEAREST)
             for a in (bicubic, sr, truth)]
    gap = 6
    canvas = Image.new("RGB", (3 * crop * zoom + 2 * gap, crop * zoom), "white")
    for i, tile in enumerate(tiles):
        canvas.paste(tile, (i * (crop * zoom + gap), 0))
    path = report_dir / folder / f"{name}.png"
    atomic_write_via(path, lambda tmp: canvas.save(tmp, format="PNG"))
    return path


def _busiest_window(rgb: np.ndarray, size: int) -> tuple[int, int]:
    """The crop with the most detail (gradient energy), where SR differences are visible."""
    gray = rgb.astype(np.float64).mean(axis=2)
    energy = np.abs(np.diff(gray, axis=0))[:, :-1] + np.abs(np.diff(gray, axis=1))[:-1, :]
    step = max(1, size // 4)
    best, where = -1.0, (0, 0)
    for top in range(0, energy.shape[0] - size + 1, step):
        for left in range(0, energy.shape[1] - size + 1, step):
            value = energy[top:top + size, left:left + size].sum()
            if value > best:
                best, where = value, (top, left)
    return where


def throughput_plot(rows: list[dict], path: Path) -> Path | None:
    series: dict[str, list[tuple[int, float]]] = {}
    for row in rows:
        if row.get("fps") is not None:
            series.setdefault(f"{row['target']} / {row['backend']} ({row['precision']})", []).append(
                (row["batch_size"], row["fps"]))
    if not series:
        return None
    try:
        import matplotlib
    except ImportError:  # optional: a GPU machine running from a checkout may lack it; the table stays
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    for label, points in sorted(series.items()):
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size")
    ax.set_ylabel("images / s (batch x 1000 / mean ms)")
    ax.set_title("SRCNN x2 throughput, 256x256 inputs")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    atomic_write_via(path, lambda tmp: fig.savefig(tmp, format="png"))
    plt.close(fig)
    return path

