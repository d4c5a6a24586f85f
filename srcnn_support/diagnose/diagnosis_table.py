"""The diagnosis table of docs/diagnose.md: every cause recorded on a dataset, scored and diagnosed.

``python -m srcnn_support.diagnose.diagnosis_table --dataset-dir ../shared/data/Set5 [--clamp-image PATH]``
prints Markdown: per cause the guide metric its outputs give (the guide's post-processing: transposed
back, unclamped, mean over images), and for a run in fp32 and one through fp16 ``.om`` arithmetic the
diagnosed id, the PSNR against the named hypothesis, the runner-up and the margin (pooled and the
smallest per-image margin).
"""
from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from srcnn_support.diagnose import hypotheses as hyp
from srcnn_support.diagnose.explain import diagnose_outputs, hypotheses_for, read_recorded_dump
from srcnn_support.diagnose.recorded_runs import MAKEABLE, other_weights, write_recorded_run
from srcnn_support.gate.config import DEFAULT_WEIGHTS
from srcnn_support.model.network import load_model
from srcnn_support.prepare.datasets import sample_photos
from srcnn_support.prepare.imaging import list_images
from srcnn_support.score.metrics import guide_psnr

HEADER = ("| cause | guide metric, mean dB | vs ok | precision | diagnosed | PSNR vs it (dB) | runner-up (dB) "
          "| margin pooled (dB) | smallest per-image margin (dB) |\n" + "| --- " * 9 + "|")


def _db(value: float) -> str:
    return "exact" if value == math.inf else f"{value:.2f}"


def record_and_diagnose(model, weights: Path, files: list[Path], cause: str, fp16: bool, hypotheses) -> tuple:
    """Write the recorded run, read it back as the tool left it, diagnose it; also return its guide metric."""
    expected, inputs = hypotheses
    with tempfile.TemporaryDirectory() as folder:
        write_recorded_run(Path(folder), model, files, cause, fp16)
        observed, dtype = read_recorded_dump(Path(folder), [f.stem for f in files])
    diagnosis = diagnose_outputs(observed, expected, inputs, dtype)
    metric = float(np.mean([guide_psnr(inputs[n], np.ascontiguousarray(o.T), clamp=False)
                            for n, o in observed.items()]))
    return diagnosis, metric


def _margin(value: float) -> str:
    return "inf" if value == math.inf else f"{value:.2f}"


def row(label: str, cause: str, metric: float, ok_metric: float, fp16: bool, diagnosis) -> str:
    """``vs ok`` is the relative deviation from the correct pipeline's guide metric (the gate allows 1%)."""
    overall = diagnosis.overall
    smallest = min(v.margin_db for v in diagnosis.images)
    named = diagnosis.cause if diagnosis.cause == cause else f"**{diagnosis.cause}**"
    return (f"| {label} | {metric:.2f} | {(metric - ok_metric) / ok_metric:+.2%} | {'fp16 .om' if fp16 else 'fp32'} "
            f"| {named} | {_db(overall.best_psnr)} ({overall.best}) | {overall.runner_up} "
            f"{_db(overall.scores[overall.runner_up])} | {_margin(overall.margin_db)} | {_margin(smallest)} |")


def table(files: list[Path], weights: Path, clamp_files: list[Path]) -> list[str]:
    model = load_model(weights)
    hypotheses = hypotheses_for(weights, files)
    lines, notes = [], []
    ok_metric = record_and_diagnose(model, weights, files, hyp.OK, False, hypotheses)[1]
    for cause in [c for c in MAKEABLE if c != hyp.OUTPUT_CLAMPED] + [hyp.WEIGHTS_DIFFER]:
        for fp16 in (False, True):
            source = model
            if cause == hyp.WEIGHTS_DIFFER:
                photos = [p for p in sample_photos().files if p.stem in ("camera", "coffee")]
                source = other_weights(model, photos)
            made = hyp.OK if cause == hyp.WEIGHTS_DIFFER else cause
            diagnosis, metric = record_and_diagnose(source, weights, files, made, fp16, hypotheses)
            lines.append(row(cause, cause, metric, ok_metric, fp16, diagnosis))
            if cause == hyp.WEIGHTS_DIFFER:
                notes.append(f"weights-differ ({'fp16' if fp16 else 'fp32'}): {diagnosis.overall.notes[-1]}")
    clamp_hypotheses = hypotheses_for(weights, clamp_files)
    clamp_ok = record_and_diagnose(model, weights, clamp_files, hyp.OK, False, clamp_hypotheses)[1]
    for fp16 in (False, True):
        diagnosis, metric = record_and_diagnose(model, weights, clamp_files, hyp.OUTPUT_CLAMPED, fp16, clamp_hypotheses)
        label = f"{hyp.OUTPUT_CLAMPED} ({', '.join(f.stem for f in clamp_files)})"
        lines.append(row(label, hyp.OUTPUT_CLAMPED, metric, clamp_ok, fp16, diagnosis))
        notes.append(f"output-clamped ({'fp16' if fp16 else 'fp32'}): {'; '.join(diagnosis.overall.notes)}")
    start = time.perf_counter()
    hypotheses_for(weights, files)
    notes.append(f"recomputing every hypothesis for {len(files)} images took {time.perf_counter() - start:.1f} s")
    return [HEADER, *lines, "", *(f"- {n}" for n in notes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset-dir", required=True)
    parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    parser.add_argument("--clamp-image", action="append", default=[],
                        help="image(s) whose output leaves [0, 1], for the output-clamped row (e.g. Set14/ppt3.png)")
    args = parser.parse_args()
    files = list_images(args.dataset_dir)
    clamp_files = [Path(p) for p in args.clamp_image] or files
    print("\n".join(table(files, Path(args.weights), clamp_files)))


if __name__ == "__main__":
    main()
