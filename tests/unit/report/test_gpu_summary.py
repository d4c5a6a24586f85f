"""The GPU run's summary (``python -m srcnn_support.report.gpu_summary``, the last step of tools/device_check.sh)
and the report's GPU rows, checked where there is no GPU; the script itself: tests/integration/test_device_check.py.
"""
from __future__ import annotations

import json
import sys

import pytest

from srcnn_support.backends.base import RunnerInfo
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import TARGETS_FILE
from srcnn_support.gate.gpu_gate import gpu_decision, perf_row
from srcnn_support.gate.targets import load_targets
from srcnn_support.perf.gpu_timing import gpu_figures
from srcnn_support.report import gpu_summary
from srcnn_support.report.render import throughput_plot
from srcnn_support.report.results import ResultsRecorder


def _results_file(tmp_path):
    target = load_targets(TARGETS_FILE)["cuda"]
    info = RunnerInfo("torch-cuda-fp16", "fp16", {"torch": "2.11.0", "cuda": "13.0"}, {"gpu": "NVIDIA H200"})
    recorder = ResultsRecorder()
    figures = gpu_figures(16, [1.0] * 20, [4.0] * 20)
    decision = gpu_decision(target, "cuda/torch-cuda-fp16", 16, figures)
    recorder.add_perf(perf_row(target, info, 16, 0, figures, decision))
    recorder.add_measurement("torch-cuda-fp16", "woman", {
        "guide_psnr_guide_layout": 33.5, "reference_guide_psnr": 33.51, "standard_psnr": 36.2,
        "max_abs_vs_pytorch_natural": 4.2e-4})
    recorder.add_verdict("torch-cuda-fp16", "woman", "guide_psnr_vs_live_reference", True, 33.5, 33.51, "1% relative")
    path = tmp_path / "results.json"
    recorder.write(path)
    return path


def test_summary_prints_what_the_note_needs(tmp_path, capsys):
    assert gpu_summary.main([str(_results_file(tmp_path)), str(tmp_path / "absent.json")]) == 0
    text = capsys.readouterr().out
    assert "GPU: NVIDIA H200 (cuda 13.0, torch 2.11.0)" in text
    assert "cuda torch-cuda-fp16  bs16  compute    16000.0 images/s" in text
    assert "end-to-end    4000.0 images/s   13.76 x T4  pass" in text
    assert (
        "woman" in text
        and "guide PSNR 33.5000 dB (reference 33.5100)" in text
        and "max-abs vs PyTorch fp32 0.00042" in text
    )
    assert "goal (10 x T4 at batch 16): 13.76 x, reached" in text
    assert "absent.json: not written" in text


def test_summary_refuses_a_foreign_file(tmp_path, capsys):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"benchmarks": []}))
    with pytest.raises(SrcnnGateError, match="other.json: not a srcnn-gate results file"):
        gpu_summary.load_results(other)
    assert gpu_summary.main([str(other)]) == 2
    assert "other.json: not a srcnn-gate results file" in capsys.readouterr().err


def test_report_plot_is_optional(tmp_path, monkeypatch):
    """matplotlib is not on the GPU machine: the report keeps its table and leaves the plot out."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    rows = [{"target": "cuda", "backend": "torch-cuda-fp16", "precision": "fp16", "batch_size": 1, "fps": 5000.0}]
    assert throughput_plot(rows, tmp_path / "plot.png") is None
    assert not (tmp_path / "plot.png").exists()


def test_report_renders_gpu_rows(tmp_path):
    """The GPU run's report: the usual throughput table plus compute / end-to-end / ratio to the T4."""
    from srcnn_support.report import render as report

    document = json.loads(_results_file(tmp_path).read_text())
    document["environment"] = {"command": "pytest --target cuda", "when": "now"}
    report.save_run(tmp_path / "report", document)
    markdown, page = report.write_report(tmp_path / "report")
    text = markdown.read_text()
    assert "| cuda | torch-cuda-fp16 | 16 | 16000.00 | 4000.00 | 13.76 |" in text
    assert "CUDA events around the CUDA graph replay" in text and page.is_file()

