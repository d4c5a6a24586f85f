"""The figures a GPU device run's note needs, read back from its results JSON files.

``python -m srcnn_support.report.gpu_summary RESULTS.json [...]`` prints, per target and backend, compute
images/s (mean, and median/p99 latency), end-to-end images/s and the ratio to the T4's 1163.108 at
every batch size, then the per-image PSNR of the GPU backends beside the PyTorch reference, then
the GPU goal (10 x the T4 at batch 16). Files that a skipped run never wrote are named, not fatal.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from srcnn_support.errors import SrcnnGateError
from srcnn_support.perf.method import MIN_SAMPLES_FOR_PERCENTILE

GOAL_RATIO_AT_BS16 = 10.0  # the GPU port's goal: at least 10 x the T4 at batch 16 (recorded; not a gate)


def load_results(path: Path) -> dict:
    try:
        document = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise SrcnnGateError(path, f"not valid JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("schema") != "srcnn-gate/results/1":
        raise SrcnnGateError(path, "not a srcnn-gate results file (schema srcnn-gate/results/1 expected)")
    return document


def perf_lines(rows: list[dict]) -> list[str]:
    lines = []
    for row in rows:
        if row.get("end_to_end_fps") is None or row.get("ratio_to_reference") is None:
            continue
        p99 = row.get("latency_p99_ms")
        p99_text = f"{p99:.4f} ms" if p99 is not None else f"n/a (under {MIN_SAMPLES_FOR_PERCENTILE[99]} samples)"
        lines.append(f"{row['target']:>7} {row['backend']:<16} bs{row['batch_size']:<3} compute {row['fps']:10.1f} "
                     f"images/s (median {row['latency_median_ms']:.4f} ms, p99 {p99_text}, "
                     f"{row['latency_rounds']} it)  end-to-end {row['end_to_end_fps']:9.1f} images/s  "
                     f"{row['ratio_to_reference']:6.2f} x T4  {row['verdict']}")
    return lines


def device_line(rows: list[dict]) -> str | None:
    for row in rows:
        gpu = row.get("details", {}).get("gpu")
        if gpu and row.get("ratio_to_reference") is not None:
            versions = ", ".join(f"{k} {v}" for k, v in sorted(row.get("versions", {}).items()))
            return f"GPU: {gpu} ({versions})"
    return None


def psnr_lines(images: list[dict], backend_prefix: str = "torch-cuda") -> list[str]:
    lines = []
    for row in images:
        if not row["backend"].startswith(backend_prefix):
            continue
        lines.append(f"{row['backend']:<16} {row['image']:<20} guide PSNR {row['guide_psnr_guide_layout']:.4f} dB "
                     f"(reference {row['reference_guide_psnr']:.4f})  standard {row['standard_psnr']:.4f} dB  "
                     f"max-abs vs PyTorch fp32 {row['max_abs_vs_pytorch_natural']:.3g}  "
                     f"{'fail' if 'fail' in row.get('verdicts', {}).values() else 'pass'}")
    return lines


def goal_line(rows: list[dict]) -> str:
    ratios = [r["ratio_to_reference"] for r in rows if r.get("batch_size") == 16 and r.get("ratio_to_reference")
              and r.get("precision") == "fp16"]
    if not ratios:
        return "goal (10 x T4 at batch 16): no batch-16 GPU figure in these results"
    best = max(ratios)
    reached = "reached" if best >= GOAL_RATIO_AT_BS16 else "not reached"
    return f"goal ({GOAL_RATIO_AT_BS16:g} x T4 at batch 16): {best:.2f} x, {reached}"


def summary(paths: list[Path]) -> list[str]:
    lines, rows, images = [], [], []
    for path in paths:
        if not Path(path).is_file():
            lines.append(f"{path}: not written (that run measured nothing: see its skips)")
            continue
        document = load_results(path)
        rows.extend(document.get("perf", []))
        images.extend(document.get("images", []))
    gpu_rows = perf_lines(rows)
    lines += ["== GPU throughput ==", *filter(None, [device_line(rows)]),
              *(gpu_rows or ["no GPU figures (no CUDA GPU, or the runs skipped)"])]
    lines += ["== GPU accuracy (per image) ==", *(psnr_lines(images) or ["no GPU accuracy rows"])]
    lines.append(goal_line(rows))
    return lines


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: python -m srcnn_support.report.gpu_summary RESULTS.json [...]", file=sys.stderr)
        return 2
    try:
        print("\n".join(summary(paths)))
    except (SrcnnGateError, OSError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
