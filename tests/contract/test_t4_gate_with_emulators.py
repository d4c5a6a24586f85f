"""The T4 gates run end to end with emulated ``nvidia-smi`` (a Tesla T4) and ``trtexec`` on PATH.

No ``tensorrt`` module is importable in the child pytest (the wheel is not installed here; the
test skips if it is), so the ``tensorrt`` backend goes through trtexec: the accuracy gate runs
it instead of skipping, and the perf gate decides on trtexec's own GPU compute figure whatever
the emulated process's wall-clock rate (a few images/s: a trtexec process per call).
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.contract.emulators.install import put_emulators_on_path

pytestmark = [pytest.mark.contract, pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("tensorrt") is not None,
                                 reason="the real 'tensorrt' module is installed: this checks the trtexec path")]

GUIDE_T4_MS = "0.859765"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Emulators on PATH and one artifacts folder per module, so the engine is built once."""
    work = tmp_path_factory.mktemp("t4")
    return work, put_emulators_on_path(work / "bin")


def run_pytest(workspace, version: str, compute_ms: str, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    work, bin_dir = workspace
    results = work / f"results-{version}-{compute_ms}.json"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
           "TRTEXEC_EMULATOR_VERSION": version, "TRTEXEC_EMULATOR_GPU_COMPUTE_MS": compute_ms}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", *args,
               f"--artifacts-dir={work / 'artifacts'}", f"--results-json={results}"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    return result, (json.loads(results.read_text()) if results.exists() else {})


@pytest.mark.parametrize("version", ["10.1.0", "11.1.0"])
def test_accuracy_gate_runs_tensorrt_through_trtexec_and_passes(workspace, version):
    result, results = run_pytest(workspace, version, GUIDE_T4_MS, "-m", "accuracy", "-k", "tensorrt")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "no TensorRT runtime" not in result.stdout
    verdicts = [v for v in results["verdicts"] if v["backend"] == "tensorrt"]
    passed = {v["check"] for v in verdicts if v["verdict"] == "pass"}
    assert {
        "guide_psnr_vs_live_reference",
        "mean_guide_psnr_vs_live_reference",
        "standard_psnr_beats_bicubic",
    } <= passed
    assert not [v for v in verdicts if v["verdict"] == "fail"]
    rows = [m for m in results["images"] if m["backend"] == "tensorrt"]
    assert rows and all(m["precision"] == "fp16" and m["versions"] == {"tensorrt (trtexec)": version} for m in rows)


@pytest.mark.parametrize("version", ["10.1.0", "11.1.0"])
@pytest.mark.parametrize("compute_ms, passes", [(GUIDE_T4_MS, True), ("1.2", False)])
def test_t4_perf_gate_decides_on_trtexecs_gpu_compute(workspace, version, compute_ms, passes):
    result, results = run_pytest(workspace, version, compute_ms, "-m", "perf", "--target", "t4", "--require-target",
                                 "-k", "test_throughput and bs1-dev0")
    assert (result.returncode == 0) == passes, result.stdout[-3000:]
    (row,) = [r for r in results["perf"] if r["batch_size"] == 1]
    assert row["fps"] == pytest.approx(1000 / float(compute_ms), rel=1e-6)
    assert row["tool"] == "trtexec" and row["verdict"] == ("pass" if passes else "fail")
    assert row["end_to_end_fps"] < 1046.797, "the wall clock of a process per call would fail the gate if gated"
