
import pytest

from srcnn_support.backends.tool_log_parsers import (
    images_per_second,
    parse_ais_bench_summary,
    parse_benchmark_dataset_log,
    parse_benchmark_perf_file,
    parse_perf_vision_file,
    parse_pure_infer_file,
    parse_trtexec_log,
)
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.perf_rules import per_card
from tests.conftest import LOGS


def test_benchmark_dataset_log_gives_the_guides_card_figure():
    figure = parse_perf_vision_file((LOGS / "perf_vision_batchsize_1_device_0.txt").read_text())
    assert figure.compute_fps == pytest.approx(348.038)
    card, how = per_card([figure.compute_fps], chips_per_card=4)
    assert round(card, 3) == 1392.152
    assert "x 4" in how
    assert figure.end_to_end_fps == pytest.approx(3.74691)


def test_per_card_sums_measured_chips():
    assert per_card([348.0, 350.0, 349.0, 347.0], 4)[0] == pytest.approx(1394.0)


def test_old_trtexec_log_gives_the_t4_figure():
    figure = parse_trtexec_log((LOGS / "trtexec_t4_fp16_bs1_trt7.log").read_text(), batch_size=1)
    assert round(figure.compute_fps, 3) == 1163.109  # 1000 / 0.859765 = 1163.1085
    assert f"{figure.compute_fps:.3f}"[:8] == "1163.109"
    assert figure.median_latency_ms == pytest.approx(0.853516)
    assert figure.p99_latency_ms == pytest.approx(0.987305)


def test_new_trtexec_log_gives_the_same_figure_and_end_to_end():
    figure = parse_trtexec_log((LOGS / "trtexec_t4_fp16_bs1_new_format.log").read_text(), batch_size=1)
    assert int(figure.compute_fps * 1000) == 1163108
    assert figure.p99_latency_ms == pytest.approx(0.987305)
    assert figure.end_to_end_fps == pytest.approx(1000 / 0.92)


def test_trtexec_batches_are_converted_to_images():
    text = "[I] GPU Compute Time: min = 5 ms, max = 7 ms, mean = 6.4 ms, median = 6.3 ms, percentile(99%) = 7 ms"
    assert parse_trtexec_log(text, batch_size=16).compute_fps == pytest.approx(16 * 1000 / 6.4)


def test_perf_file_and_ais_bench_summary():
    perf = parse_pure_infer_file((LOGS / "PureInfer_perf_of_srcnn_x2_bs1_in_device_0.txt").read_text(), batch_size=1)
    assert perf.compute_fps == pytest.approx(348.038) and perf.mean_latency_ms == pytest.approx(2.87325)
    ais = parse_ais_bench_summary((LOGS / "ais_bench_summary_bs1.log").read_text())
    assert round(ais.compute_fps, 3) == 348.038 and ais.batch_size == 1
    assert ais.end_to_end_fps < ais.compute_fps
    assert (
        parse_benchmark_perf_file("ave_throughputRate = 22.3706samples/s, ave_latency = 44.7073ms", 1).compute_fps
        == 22.3706
    )


@pytest.mark.parametrize("parser", [
    lambda t: parse_benchmark_dataset_log(t), lambda t: parse_trtexec_log(t, 1),
    lambda t: parse_benchmark_perf_file(t, 1), lambda t: parse_ais_bench_summary(t),
])
def test_unrelated_text_is_a_clear_error(parser):
    with pytest.raises(SrcnnGateError, match="found in the log"):
        parser("hello\nworld\n")


def test_formula_rejects_zero_latency():
    assert images_per_second(16, 1000.0) == 16.0
    with pytest.raises(ValueError):
        images_per_second(1, 0.0)


def test_310p_perf_vision_file_names_its_stages_inference_and_postprocess():
    figure = parse_perf_vision_file((LOGS / "310P" / "perf_vision_batchsize_1_device_0.txt").read_text())
    assert figure.compute_fps == pytest.approx(113.609) and figure.end_to_end_fps == pytest.approx(83.5628)


def test_old_ais_infer_summary_line():
    recorded = parse_ais_bench_summary((LOGS / "ais_infer_summary_modelzoo_310P_bs1.log").read_text(), batch_size=1)
    assert recorded.compute_fps == pytest.approx(1000 / 5.828554630279541)
    only_line = parse_ais_bench_summary("[INFO] throughput (1000*batchsize/NPU_compute_time): 348.038", batch_size=1)
    assert only_line.compute_fps == 348.038
