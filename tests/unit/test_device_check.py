"""tools/device_check.sh and the summary it prints, checked where there is no GPU.

On a lent GPU machine the project runs from a checkout (no pip install, so no pytest11 entry point)
on that machine's own Python; the script loads the plugin with ``-p``. Here that is imitated with
``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``, loading only the third-party plugins the GPU machine has.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from xml.etree import ElementTree

import pytest

from srcnn_support.backends.base import RunnerInfo
from srcnn_support.backends.torch_cuda import missing_torch_cuda
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import PROJECT_ROOT, TARGETS_FILE
from srcnn_support.gate.gpu_gate import gpu_decision, perf_row
from srcnn_support.gate.targets import load_targets
from srcnn_support.perf.gpu_timing import gpu_figures
from srcnn_support.report import gpu_summary
from srcnn_support.report.render import throughput_plot
from srcnn_support.report.results import ResultsRecorder

SCRIPT = PROJECT_ROOT / "tools" / "device_check.sh"
TIME_BOUND_S = 240  # the script must finish in under 5 minutes on the GPU machine; skipping is far quicker


def test_script_is_valid_bash():
    assert shutil.which("bash"), "bash is needed to run tools/device_check.sh"
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True, timeout=30)


@pytest.mark.slow
@pytest.mark.skipif(missing_torch_cuda() is None, reason="a GPU is visible: this test is about the no-GPU path")
def test_script_without_gpu_ends_in_named_skips(tmp_path):
    # The GPU machine's Python has no matplotlib and may have no filelock: both are made unimportable.
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nsys.modules['matplotlib'] = None\nsys.modules['filelock'] = None\n"
    )
    out = tmp_path / "out"
    env = {**os.environ, "OUT": str(out), "PYTHON": sys.executable, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
           "PYTEST_ADDOPTS": "-p pytest_benchmark.plugin -p xdist.plugin", "PYTHONPATH": str(blocker)}
    started = time.monotonic()
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=TIME_BOUND_S,
                          cwd=tmp_path)
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert elapsed < TIME_BOUND_S
    for target in ("cuda", "hopper"):
        counts = _junit_counts(out / target / "junit.xml")
        assert counts["tests"] > 0 and counts["skipped"] == counts["tests"], (target, counts)  # nothing measured
    self_check = _junit_counts(out / "runner-junit.xml")
    assert self_check["failures"] == self_check["errors"] == 0 and self_check["skipped"] > 0
    assert "torch.cuda.is_available() is False" in output
    assert "no GPU figures" in (out / "summary.txt").read_text()


def _junit_counts(path) -> dict[str, int]:
    suite = ElementTree.parse(path).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    return {key: int(suite.get(key)) for key in ("tests", "skipped", "failures", "errors")}


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
    assert "goal (issue 15, 10 x T4 at batch 16): 13.76 x, reached" in text
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
    report.save_part(tmp_path / "report", "perf", document)
    markdown, page = report.write_report(tmp_path / "report")
    text = markdown.read_text()
    assert "| cuda | torch-cuda-fp16 | 16 | 16000.00 | 4000.00 | 13.76 |" in text
    assert "CUDA events around the CUDA graph replay" in text and page.is_file()


def test_flock_fallback_excludes_another_process(tmp_path):
    """Without the filelock package the cache locks with fcntl.flock: another process cannot take the lock."""
    from srcnn_support.locking import FlockFileLock

    lock_path = tmp_path / "key.lock"
    probe = ("import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDWR)\n"
             "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    sys.exit(3)\n")
    with FlockFileLock(lock_path):
        held = subprocess.run([sys.executable, "-c", probe, str(lock_path)], timeout=30)
    free = subprocess.run([sys.executable, "-c", probe, str(lock_path)], timeout=30)
    assert (held.returncode, free.returncode) == (3, 0)


def test_cache_imports_without_filelock():
    code = ("import sys; sys.modules['filelock'] = None\n"
            "import srcnn_support.cache as cache; print(cache.FileLock.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.stdout.strip() == "FlockFileLock", done.stderr[-2000:]
