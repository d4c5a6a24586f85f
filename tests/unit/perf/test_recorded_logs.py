"""Recorded tool runs (--perf-log): each format is recognised and read to the figure its tool printed."""
import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.perf_rules import per_card
from srcnn_support.perf.recorded_logs import read_perf_log
from tests.conftest import LOGS


@pytest.mark.parametrize(
    "name, kind",
    [
        ("perf_vision_batchsize_1_device_0.txt", "perf_vision"),
        ("PureInfer_perf_of_srcnn_x2_bs1_in_device_0.txt", "pure_infer"),
        ("benchmark_pure_infer_stdout_bs1.log", "pure_infer"),
        ("ais_bench_summary_bs1.log", "ais_bench"),
        ("ais_infer_summary_bs1.log", "ais_bench"),
        ("2026_07_18-15_30_00_summary.json", "ais_bench"),
    ],
)
def test_every_recorded_ascend_format_reproduces_the_guides_card_figure(name, kind):
    recorded = read_perf_log(LOGS / name)
    assert recorded.kind == kind and recorded.batch_size == 1 and recorded.device == 0
    card, _ = per_card([recorded.figure.compute_fps], chips_per_card=4)
    assert f"{card:.3f}" == "1392.152"


def test_recorded_trtexec_logs_reproduce_the_t4_figure():
    for name in ("trtexec_t4_fp16_bs1_trt7.log", "trtexec_t4_fp16_bs1_new_format.log"):
        recorded = read_perf_log(LOGS / name)
        assert recorded.kind == "trtexec" and int(recorded.figure.compute_fps * 1000) == 1163108


def test_perf_vision_name_gives_batch_and_device(tmp_path):
    path = tmp_path / "perf_vision_batchsize_16_device_3.txt"
    path.write_text((LOGS / "perf_vision_batchsize_1_device_0.txt").read_text().replace("348.038", "500.5"))
    recorded = read_perf_log(path)
    assert (recorded.batch_size, recorded.device, recorded.figure.compute_fps) == (16, 3, 500.5)


def test_unrecognised_or_unnamed_logs_are_one_line_errors(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(SrcnnGateError, match="not a benchmark perf file"):
        read_perf_log(other)
    unnamed = tmp_path / "summary.log"
    unnamed.write_text((LOGS / "ais_infer_summary_bs1.log").read_text())  # ais_infer prints no batch size
    with pytest.raises(SrcnnGateError, match="batch size unknown"):
        read_perf_log(unnamed)
    with pytest.raises(SrcnnGateError, match="cannot read"):
        read_perf_log(tmp_path / "missing.txt")
