"""The report's "Layer by layer" section: per backend, the comparison with PyTorch at conv1..conv3 in msit's
metrics (``srcnn_support/layers/``), its verdict, and the heatmap of the output error of its worst image."""
from __future__ import annotations

from pathlib import Path

from srcnn_support.report.blocks import Picture, Table


def _number(value, digits: str) -> str:
    return "n/a" if value is None else format(value, digits)


def layer_blocks(doc: dict, report_dir: Path) -> list:
    comparisons = doc.get("meta", {}).get("layers", {})
    blocks: list = []
    for backend, comparison in sorted(comparisons.items()):
        first = comparison.get("first_divergence") or "none"
        change = comparison.get("final_output_change")
        count = comparison.get("images", 0)
        blocks.append(f"### {backend}: first divergence {first} ({comparison.get('classification')}; "
                      f"{count} image{'' if count == 1 else 's'})")
        rows = [[row["layer"] if row["compared_at"] == row["layer"] else f"{row['layer']}+{row['compared_at']}",
                 _number(row.get("cosine"), ".6f"), _number(row.get("red"), ".3g"), _number(row.get("kl"), ".3g"),
                 _number(row.get("rmse"), ".3g"), _number(row.get("max_abs"), ".3g"), str(row.get("fp16_overflow")),
                 "FAIL: " + ", ".join(row["exceeded"]) if row["exceeded"] else "ok"] for row in comparison["rows"]]
        blocks.append(Table(["layer", "cosine", "RED", "KL", "RMSE", "max abs", "fp16 overflow", "verdict"], rows))
        if change is not None:
            blocks.append("Layer outputs added to a copy of the model: the output is unchanged." if change == 0.0
                          else f"Layer outputs added to a copy of the model moved the output by max abs {change:.3g}.")
        heatmap = comparison.get("heatmap")
        if heatmap and (report_dir / heatmap).is_file():
            blocks.append(Picture(report_dir / heatmap, f"{backend}: output error on {comparison.get('worst_image')}"
                                  " (backend - PyTorch; red above, blue below, scaled to its largest error)"))
    if blocks:
        thresholds = "cosine > 0.99, RED < 0.05, KL < 0.005, RMSE < 1.0, MRE < 1.0 (msit); RED < 1e-4 for fp32"
        blocks.insert(0, "Each backend against PyTorch at every layer boundary, on the run's first images (at most 8). "
                         f"Thresholds: {thresholds}. `python -m srcnn_support compare-layers` prints the full table.")
    return blocks
