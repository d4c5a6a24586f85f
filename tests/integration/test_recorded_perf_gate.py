"""``--perf-log``: a recorded device run is gated with no NPU (issue 13 "Recorded runs"), run as a user runs it."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LOGS, ROOT

pytestmark = pytest.mark.slow


def _gate(tmp_path, *args):
    env = {**os.environ, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "perf",
                           f"--artifacts-dir={tmp_path / 'artifacts'}", f"--results-json={tmp_path / 'r.json'}",
                           "tests/gates/test_perf.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def _perf_vision(folder: Path, device: int, rate: float) -> str:
    path = folder / f"perf_vision_batchsize_1_device_{device}.txt"
    path.write_text((LOGS / "perf_vision_batchsize_1_device_0.txt").read_text().replace("348.038", str(rate)))
    return f"--perf-log={path}"


def test_the_guides_recorded_files_pass_with_no_npu(tmp_path):
    result = _gate(tmp_path, "--target", "ascend310", f"--perf-log={LOGS / 'perf_vision_batchsize_1_device_0.txt'}",
                   f"--perf-log={LOGS / 'PureInfer_perf_of_srcnn_x2_bs1_in_device_0.txt'}")
    assert result.returncode == 0, result.stdout[-3000:]
    (row,) = json.loads((tmp_path / "r.json").read_text())["perf"]
    assert row["fps"] == 348.038 and round(row["fps_per_card_estimate"], 3) == 1392.152
    assert row["recorded_beside"] == {"pure_infer": 348.038} and row["timer"].startswith("recorded perf_vision")


def test_four_recorded_chips_are_summed_and_a_slow_chip_fails(tmp_path):
    logs = [_perf_vision(tmp_path, d, 300.0) for d in range(4)]
    summed = _gate(tmp_path, "--target", "ascend310", *logs)
    assert summed.returncode == 0, summed.stdout[-3000:]
    assert "1200.000 fps (sum of 4 measured chips)" in summed.stdout
    slow = _gate(tmp_path, "--target", "ascend310", _perf_vision(tmp_path / "artifacts", 0, 250.0))
    assert slow.returncode == 1 and "per-card 1000.000 fps" in slow.stdout


def test_t4_trtexec_log_and_a_wrong_tool_for_the_target(tmp_path):
    passed = _gate(tmp_path, "--target", "t4", f"--perf-log={LOGS / 'trtexec_t4_fp16_bs1_trt7.log'}")
    assert passed.returncode == 0, passed.stdout[-3000:]
    wrong = _gate(tmp_path, "--target", "t4", f"--perf-log={LOGS / 'ais_bench_summary_bs1.log'}")
    assert wrong.returncode == 1 and "cannot be gated on" in wrong.stdout
