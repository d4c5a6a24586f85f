"""Issue 13/14: ``pytest -m accuracy --dump-dir DIR`` on recorded runs made from the real pipeline.

Each case runs pytest in a subprocess on a dump directory written the way the guide's ``benchmark``
tool writes it (``<stem>_1.bin``, float32, transposed layout)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from srcnn_support.diagnose import hypotheses as hyp
from srcnn_support.diagnose.recorded_runs import write_recorded_run
from srcnn_support.gate.config import DEFAULT_WEIGHTS
from srcnn_support.model.network import load_model
from tests.conftest import ROOT, SET5

GATE = ROOT / "tests" / "gates" / "test_recorded_run.py"

pytestmark = pytest.mark.slow


def _set5() -> list[Path]:
    if not SET5.is_dir():
        pytest.skip(f"Set5 not found at {SET5} (set SRCNN_DATA_ROOT)")
    return sorted(SET5.glob("*.png"))


def run_gate(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", str(GATE), "-m", "accuracy", "-p", "no:cacheprovider", "-q",
               "--dataset-dir", str(SET5), "--artifacts-dir", str(tmp_path / "artifacts"), *options]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def recorded(tmp_path: Path, cause: str) -> Path:
    dump = tmp_path / "result" / "dumpOutput_device0"
    write_recorded_run(dump, load_model(DEFAULT_WEIGHTS), _set5(), cause, fp16=True)
    return dump


def test_guides_outputs_pass(tmp_path):
    result = run_gate(tmp_path, "--dump-dir", str(recorded(tmp_path, hyp.OK)))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "12 passed" in result.stdout  # 5 + mean guide-metric, 5 + mean over bicubic; published skipped


def test_wrongly_preprocessed_outputs_fail_with_the_diagnosis(tmp_path):
    result = run_gate(tmp_path, "--dump-dir", str(recorded(tmp_path, hyp.OPENCV_RESIZE)))
    assert result.returncode == 1, result.stdout[-3000:]
    failed = "FAILED tests/gates/test_recorded_run.py::test_recorded_guide_psnr_within_1pct_of_live_reference"
    assert f"{failed}[butterfly]" in result.stdout
    assert "diagnosis: cause opencv-resize" in result.stdout
    report = (tmp_path / "artifacts" / "report.md").read_text()
    assert "| butterfly |" in report and "FAIL (cause recorded-run: opencv-resize) |" in report


def test_float16_dump_fails_naming_the_dtype_and_the_cause(tmp_path):
    result = run_gate(tmp_path, "--dump-dir", str(recorded(tmp_path, hyp.DUMP_DTYPE_FLOAT16)))
    assert result.returncode == 1
    assert "outputs are float16, the guide's are float32" in result.stdout
    assert "diagnosis: cause dump-dtype-float16" in result.stdout


def test_without_dump_dir_the_recorded_run_tests_skip_saying_why(tmp_path):
    _set5()
    result = run_gate(tmp_path, "-rs")
    assert result.returncode == 0
    assert "no recorded run to gate: pass --dump-dir DIR" in result.stdout and "passed" not in result.stdout
