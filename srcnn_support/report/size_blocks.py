"""The report's "Cost against image size" section (``--sizes``): the table, the plot and each backend's exponent."""
from __future__ import annotations

from pathlib import Path

from srcnn_support.atomic import atomic_write_via
from srcnn_support.perf.size_cost import exponents
from srcnn_support.report.blocks import Picture, Table, _fmt

SIZE_PLOT = "cost_vs_size.png"


def _gib(value) -> str:
    return f"{value / 2**30:.2f}" if value else "n/a"


def _alone(row: dict) -> str:
    if row.get("contended"):
        return f"CONTENDED ({row['other_cpu_share']:.0%} other)"
    share = row.get("other_cpu_share")
    return "n/a" if share is None else f"yes ({share:.0%} other)"


def _exponent_line(backend: str, exponent: float | None) -> str:
    if exponent is None:
        return f"{backend}: fewer than two square sizes, no exponent fitted"
    reading = ("about linear in the pixels" if 0.85 <= exponent <= 1.15 else
               "faster than the pixels grow" if exponent > 1.15 else "slower than the pixels grow (fixed costs)")
    return f"{backend}: time per image ~ pixels^{exponent:.2f}, {reading}"


def size_cost_blocks(rows: list[dict], report_dir: Path) -> list:
    if not rows:
        return []
    header = ["backend", "size", "pixels", "images/s", "MPix/s", "latency median ms", "samples, CV",
              "peak RSS GiB (before)", "path", "timed alone"]
    table = [[r["backend"], r["size"], f"{r['pixels']:,}", _fmt(r["images_per_s"], 3), _fmt(r["mpix_per_s"], 3),
              _fmt(r["latency_median_ms"], 1), f"{r['samples']}, CV {r['latency_cv']:.1%}",
              f"{_gib(r.get('peak_rss_bytes'))} ({_gib(r.get('rss_before_bytes'))})", r["path"], _alone(r)]
             for r in rows]
    blocks: list = [
        "Recorded, not gated. Each backend timed at batch 1 on the square sizes given with `--sizes` (the first "
        "dataset photo resized, degraded and converted as the full-size protocol does) and on the dataset's "
        "full-size images. MPix/s counts output pixels. Peak RSS is the process's resident set sampled every 5 ms "
        "while that size ran; the figure in brackets is the resident set before it.",
        Table(header, table),
        "Fitted exponent of time per image against pixels (least squares in log-log over the square sizes; about 1 "
        "means cost grows linearly with the work):" + "".join(
            f"\n- {_exponent_line(backend, value)}" for backend, value in exponents(rows).items()),
    ]
    plot = size_plot(rows, report_dir / SIZE_PLOT)
    if plot:
        blocks.append(Picture(plot, "MPix/s and peak resident memory against pixels per image"))
    return blocks


def size_plot(rows: list[dict], path: Path) -> Path | None:
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (speed, memory) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    for backend in dict.fromkeys(r["backend"] for r in rows):
        mine = sorted((r for r in rows if r["backend"] == backend), key=lambda r: r["pixels"])
        pixels = [r["pixels"] for r in mine]
        speed.plot(pixels, [r["mpix_per_s"] for r in mine], marker="o", label=backend)
        memory.plot(pixels, [(r.get("peak_rss_bytes") or 0) / 2**30 for r in mine], marker="o", label=backend)
    for axis, label in ((speed, "megapixels / s"), (memory, "peak resident memory, GiB")):
        axis.set_xscale("log")
        axis.set_xlabel("pixels per image")
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
    memory.set_yscale("log")
    speed.legend(fontsize=8)
    fig.suptitle("SRCNN x2: cost against image size (batch 1)")
    fig.tight_layout()
    atomic_write_via(path, lambda tmp: fig.savefig(tmp, format="png"))
    plt.close(fig)
    return path
