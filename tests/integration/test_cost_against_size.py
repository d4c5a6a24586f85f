"""``--sizes``: cost against image size is recorded for a CPU backend at each size and over the full-size images,
and shown in the report; without ``--sizes`` the tests are set aside, not skipped (pytest subprocesses)."""
import json
import os
import subprocess
import sys

import pytest

from srcnn_support.prepare.datasets import sample_photos
from tests.conftest import ROOT, WEIGHTS

pytestmark = pytest.mark.slow


def _run(tmp_path, *args):
    photos = tmp_path / "photos"
    photos.mkdir(exist_ok=True)
    if not any(photos.iterdir()):
        (photos / "camera.png").symlink_to(sample_photos().files[1])
    artifacts = tmp_path / "artifacts"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "perf", "-k",
         "cost_against and onnxruntime and not fp16 and not int8", f"--dataset-dir={photos}", f"--weights={WEIGHTS}",
         f"--artifacts-dir={artifacts}", "tests/gates/test_perf_sizes.py", *args],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600)
    return result, artifacts


def test_each_size_and_the_full_size_pass_are_recorded_and_reported(tmp_path):
    result, artifacts = _run(tmp_path, "--sizes", "32,64")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    rows = json.loads((artifacts / "run.json").read_text())["meta"]["size_cost"]
    assert [row["size"] for row in rows] == ["32x32", "64x64", "full-size photos (1 images)"]
    assert all(row["backend"] == "onnxruntime" and row["mpix_per_s"] > 0 and row["peak_rss_bytes"] > 0
               for row in rows)
    assert rows[2]["pixels"] == 512 * 512 and rows[2]["path"] == "whole image"
    report = (artifacts / "report.md").read_text()
    assert "## Cost against image size" in report and "- onnxruntime: time per image ~ pixels^" in report
    assert (artifacts / "cost_vs_size.png").is_file()


def test_without_sizes_the_tests_are_set_aside(tmp_path):
    result, _ = _run(tmp_path)
    assert "set aside 1 test(s) with no case on this run: test_cost_against_image_size" in result.stdout
