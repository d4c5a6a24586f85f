"""A recorded device run gated in the library: the pytest gate and ``gate-perf`` both call these."""
import json
from pathlib import Path

import pytest

from srcnn_support.cli.main import main
from srcnn_support.gate.config import TARGETS_FILE
from srcnn_support.gate.recorded_perf import fits_target, gate_recorded_batch, gate_recorded_run, read_logs
from srcnn_support.gate.targets import load_targets
from tests.conftest import LOGS

TARGETS = load_targets(TARGETS_FILE)


def _chip(folder: Path, device: int, rate: float) -> Path:
    path = folder / f"perf_vision_batchsize_1_device_{device}.txt"
    path.write_text((LOGS / "perf_vision_batchsize_1_device_0.txt").read_text().replace("348.038", str(rate)))
    return path


def test_the_guides_file_gives_the_card_figure_and_the_pure_infer_sits_beside():
    logs = read_logs([LOGS / "perf_vision_batchsize_1_device_0.txt",
                      LOGS / "PureInfer_perf_of_srcnn_x2_bs1_in_device_0.txt"])
    (batch,) = gate_recorded_run(TARGETS["ascend310"], logs)
    (row,) = batch.rows
    assert batch.decision and row["verdict"] == "pass" and round(row["fps_per_card_estimate"], 3) == 1392.152
    assert row["recorded_beside"] == {"pure_infer": 348.038} and row["checks"][0]["measured"] == pytest.approx(1392.152)
    assert gate_recorded_batch(TARGETS["ascend310"], logs, 16) is None


def test_four_chips_are_summed_once(tmp_path):
    logs = read_logs([_chip(tmp_path, d, 280.0) for d in range(4)])
    batch = gate_recorded_batch(TARGETS["ascend310"], logs, 1)
    assert len(batch.rows) == 4 and len(batch.decision.checks) == 1
    assert not batch.decision and "per-card 1120.000 fps (sum of 4 measured chips" in batch.decision.message()


def test_logs_of_another_tool_or_batch_size_do_not_fit():
    logs = read_logs([LOGS / "ais_bench_summary_bs1.log", LOGS / "trtexec_t4_fp16_bs1_trt7.log"])
    verdict = fits_target(TARGETS["t4"], logs)
    assert not verdict and "cannot be gated on" in verdict.explanation and "ais_bench" in verdict.explanation
    assert fits_target(TARGETS["t4"], logs[1:])


def test_gate_perf_command_passes_fails_and_refuses(tmp_path, capsys):
    assert main(["gate-perf", "--target", "ascend310", "--perf-log", str(_chip(tmp_path, 0, 348.038)),
                 "--json", str(tmp_path / "gate.json")]) == 0
    out = capsys.readouterr().out
    assert "PASS ascend310/ascend-om/bs1: per card > 1163.108 fps: measured 1392.152" in out
    assert out.rstrip().endswith("RELEASE PASS: 2 of 2 checks passed")  # the logs fit the target; the card passes
    headline = json.loads((tmp_path / "gate.json").read_text())["release"]["headline"]
    assert headline == "RELEASE PASS: 2 of 2 checks passed"
    assert main(["gate-perf", "--target", "ascend310", "--perf-log", str(_chip(tmp_path, 0, 250.0))]) == 1
    assert "RELEASE FAIL: 1 of 2 checks failed: min_fps_per_card: 1 (ascend310/ascend-om/bs1: " in \
        capsys.readouterr().out
    assert main(["gate-perf", "--target", "t4", "--perf-log", str(LOGS / "ais_bench_summary_bs1.log")]) == 1
    assert "cannot be gated on" in capsys.readouterr().out
    assert main(["gate-perf", "--target", "nope", "--perf-log", str(LOGS / "ais_bench_summary_bs1.log")]) == 2
    assert "error: nope: unknown target" in capsys.readouterr().err



def test_gate_perf_refuses_a_cut_log_with_one_line(tmp_path, capsys):
    """The guide's file cut mid-figure ('Interface throughputRate: 34') is not gated as 34 images/s: exit 2."""
    text = (LOGS / "perf_vision_batchsize_1_device_0.txt").read_text()
    path = tmp_path / "perf_vision_batchsize_1_device_0.txt"
    path.write_text(text[:text.index("348.038") + 2])
    assert main(["gate-perf", "--target", "ascend310", "--perf-log", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == (f"error: {path}: incomplete benchmark perf file (cut?): no complete '[infer]' "
                            "(or '[inference]') line; no complete '[post]' (or '[postprocess]') line\n")
    assert "RELEASE" not in captured.out

def _bs16_run(folder: Path, chip_rate: float) -> Path:
    path = folder / "perf_vision_batchsize_16_device_0.txt"
    path.write_text((LOGS / "perf_vision_batchsize_1_device_0.txt").read_text().replace("348.038", str(chip_rate)))
    return path


def _t4_bs16_log(folder: Path, mean_ms: float) -> Path:
    """A trtexec batch-16 run on the T4: the guide's own log with batch 16 and another GPU compute mean."""
    text = (LOGS / "trtexec_t4_fp16_bs1_trt86.log").read_text()
    path = folder / "trtexec_t4_fp16_bs16.log"
    path.write_text(text.replace("input.1:1x1x256x256", "input.1:16x1x256x256").replace("mean = 0.859765 ms",
                                                                                          f"mean = {mean_ms} ms"))
    return path


def test_batch_16_is_recorded_saying_why_without_a_t4_figure(tmp_path):
    (batch,) = gate_recorded_run(TARGETS["ascend310"], read_logs([_bs16_run(tmp_path, 450.0)]))
    (row,) = batch.rows
    assert row["verdict"] == "recorded" and "no trtexec log at batch 16" in row["not_gated_because"]
    assert batch.decision.checks[0].passed is None


def test_batch_16_per_card_must_beat_the_t4_log_given_beside(tmp_path):
    t4 = _t4_bs16_log(tmp_path, 10.0)  # 16 x 1000 / 10 ms = 1600 images/s
    fast = read_logs([_bs16_run(tmp_path, 450.0), t4])  # 4 chips x 450 = 1800 per card
    assert fits_target(TARGETS["ascend310"], fast)  # the T4's log sets the bar, it is no file of another target
    (batch,) = gate_recorded_run(TARGETS["ascend310"], fast)
    (check,) = batch.decision.checks
    assert check and check.reference == pytest.approx(1600.0) and check.measured == pytest.approx(1800.0)
    (slow_batch,) = gate_recorded_run(TARGETS["ascend310"], read_logs([_bs16_run(tmp_path, 350.0), t4]))
    assert not slow_batch.decision and "does not beat 1600.000 fps from trtexec" in slow_batch.decision.message()
    t4_bs1 = read_logs([LOGS / "trtexec_t4_fp16_bs1_trt86.log"])  # batch 1 is gated on the guide's figure
    assert not fits_target(TARGETS["ascend310"], t4_bs1)
