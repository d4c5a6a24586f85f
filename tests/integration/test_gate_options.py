"""The gates' command-line behaviour, run as a user runs them (a pytest subprocess)."""
import os
import subprocess
import sys

from srcnn_support.prepare.datasets import sample_photos
from tests.conftest import ROOT


def _pytest(tmp_path, *args):
    env = {**os.environ, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs",
                           f"--artifacts-dir={tmp_path}", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_missing_ascend_hardware_is_undecided_naming_what_is_missing_once(tmp_path):
    result = _pytest(tmp_path, "-m", "perf", "--target", "ascend310")
    assert result.returncode == 5, result.stdout[-2000:]  # pytest's "no tests ran": every test needs the NPU
    (line,) = [line for line in result.stdout.splitlines() if "'npu-smi' not on PATH" in line]
    assert "RELEASE UNDECIDED: no check was decided" in line and "ais_bench" in line and "'atc'" in line
    assert "perf test(s) not run" in line


def test_require_target_turns_the_skip_into_a_failure(tmp_path):
    result = _pytest(tmp_path, "-m", "perf", "--target", "ascend310", "--require-target")
    assert result.returncode == 1
    (line,) = [line for line in result.stdout.splitlines() if "'npu-smi' not on PATH" in line]
    assert "RELEASE FAIL: 1 of 1 checks failed: target hardware present: 1 (ascend310/all: perf target ascend310 " \
           "is not on this machine: target ascend310: 'npu-smi' not on PATH" in line


def test_unknown_target_and_bad_dataset_are_one_line_errors(tmp_path):
    result = _pytest(tmp_path, "-m", "perf", "--target", "nosuch")
    assert result.returncode == 4 and "ERROR: nosuch: unknown --target; known: cpu, ascend310" in result.stderr
    result = _pytest(tmp_path, "-m", "accuracy", f"--dataset-dir={tmp_path / 'absent'}")
    assert result.returncode == 4
    assert f"ERROR: {tmp_path / 'absent'}: dataset directory not found" in result.stderr


def test_calibrating_int8_on_the_test_images_fails_the_gate(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for source in sample_photos().files[:2]:
        (photos / source.name).write_bytes(source.read_bytes())
    result = _pytest(tmp_path / "art", "-m", "accuracy", "-k", "calibration", f"--dataset-dir={photos}",
                     f"--calibration-dir={photos}")
    assert result.returncode == 1, result.stdout[-2000:]
    assert f"{photos}: 2 calibration image(s) are test images of" in result.stdout
