"""Recorded tool logs (--perf-log) must be complete, ais_bench's summary JSON is read, and a batch size the
log states is used (and must agree with the file name's). Each input is a fixture under fixtures/logs, cut or
edited here."""
import json
from pathlib import Path

import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.perf.recorded_logs import read_perf_log
from tests.conftest import LOGS

SUMMARY_JSON = "2026_07_18-15_30_00_summary.json"
T4_BS1 = 1000 / 0.859765


def _cut(tmp_path: Path, name: str, at: str, keep: int, new_name: str | None = None) -> Path:
    """The fixture ``name`` cut ``keep`` characters into the first ``at``, as a copy stopped mid-file leaves it."""
    text = (LOGS / name).read_text()
    path = tmp_path / (new_name or Path(name).name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text[:text.index(at) + keep])
    return path


def _edited(tmp_path: Path, name: str, new_name: str, *replacements: tuple[str, str]) -> Path:
    text = (LOGS / name).read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / new_name
    path.write_text(text)
    return path


def _refused(path: Path) -> str:
    with pytest.raises(SrcnnGateError) as error:
        read_perf_log(path)
    return str(error.value)


def test_the_guides_perf_vision_file_cut_mid_figure_is_refused_not_gated_as_34(tmp_path):
    path = _cut(tmp_path, "perf_vision_batchsize_1_device_0.txt", "348.038", 2)  # "... Interface throughputRate: 34"
    assert _refused(path) == (f"{path}: incomplete benchmark perf file (cut?): no complete '[infer]' "
                              "(or '[inference]') line; no complete '[post]' (or '[postprocess]') line")


def test_a_perf_vision_file_cut_before_its_last_stage_is_refused(tmp_path):
    path = _cut(tmp_path, "310P/perf_vision_batchsize_1_device_0.txt", "[postprocess]", 0)
    assert _refused(path) == (f"{path}: incomplete benchmark perf file (cut?): "
                              "no complete '[post]' (or '[postprocess]') line")


def test_a_pure_infer_file_cut_mid_figure_is_refused(tmp_path):
    path = _cut(tmp_path, "PureInfer_perf_of_srcnn_x2_bs1_in_device_0.txt", "348.038", 2)
    assert _refused(path) == (f"{path}: incomplete benchmark pure-inference file (cut?): "
                              "no 'ave_throughputRate: Xsamples/s, ave_latency: Yms'")


def test_the_pure_infer_printout_cut_before_its_latency_is_refused(tmp_path):
    path = _cut(tmp_path, "benchmark_pure_infer_stdout_bs1.log", "ave_latency", 0)
    assert _refused(path) == (f"{path}: incomplete benchmark pure-inference file (cut?): "
                              "no 'ave_throughputRate: Xsamples/s, ave_latency: Yms'")


def test_an_ais_bench_summary_cut_in_its_compute_line_is_refused(tmp_path):
    path = _cut(tmp_path, "ais_bench_summary_bs1.log", "mean = 2.87", 10)
    assert _refused(path) == (f"{path}: incomplete ais_bench/ais_infer summary (cut?): no complete "
                              "'NPU_compute_time (ms): min = .., percentile(99%) = ..' line; "
                              "no 'throughput ...: X' line")


def test_an_ais_bench_summary_cut_mid_throughput_disagrees_with_its_compute_mean(tmp_path):
    path = _cut(tmp_path, "ais_bench_summary_bs1.log", "): 348.038", 5)  # "...): 34"
    assert _refused(path) == (f"{path}: ais_bench throughput line reads 34, but 1000 x batch 1 / NPU_compute_time mean "
                              "2.87325 ms = 348.038 (cut, edited, or another batch size)")


def test_a_trtexec_log_cut_in_its_gpu_compute_line_is_refused(tmp_path):
    path = _cut(tmp_path, "trtexec_t4_fp16_bs1_trt86.log", "mean = 0.859765", 9)
    assert _refused(path) == (f"{path}: incomplete trtexec log (cut?): "
                              "no complete 'GPU Compute Time: min = .. ms, ..., percentile(..) = .. ms' line; "
                              "no 'Total GPU Compute Time: N s' line; "
                              "no closing '&&&& PASSED TensorRT.trtexec' line")


def test_a_trtexec_log_without_its_closing_passed_line_is_refused(tmp_path):
    path = _cut(tmp_path, "trtexec_t4_fp16_bs1_trt10.log", "&&&& PASSED", 0)
    assert _refused(path) == f"{path}: incomplete trtexec log (cut?): no closing '&&&& PASSED TensorRT.trtexec' line"


def test_a_tensorrt7_log_cut_in_its_gpu_compute_block_is_refused(tmp_path):
    path = _cut(tmp_path, "trtexec_t4_fp16_bs1_trt7.log", "mean: 0.859765", 8)
    assert _refused(path) == (f"{path}: incomplete trtexec log (cut?): no '[I] GPU Compute' block ending "
                              "'total compute time: N s'")


def test_ais_bench_summary_json_gives_the_tools_throughput_and_batch_size():
    from_json = read_perf_log(LOGS / SUMMARY_JSON)
    from_log = read_perf_log(LOGS / "ais_bench_summary_bs1.log")
    assert (from_json.kind, from_json.batch_size, from_json.device) == ("ais_bench", 1, 0)
    assert from_json.figure.compute_fps == from_log.figure.compute_fps == pytest.approx(348.038, abs=5e-7)


def test_ais_bench_summary_json_batch_size_comes_from_its_content(tmp_path):
    info = json.loads((LOGS / SUMMARY_JSON).read_text())
    info["throughput"] = 1000 * 16 / info["NPU_compute_time"]["mean"]
    path = tmp_path / "2026_07_18-16_00_00_summary.json"
    path.write_text(json.dumps(info))
    recorded = read_perf_log(path)
    assert (recorded.batch_size, recorded.figure.compute_fps) == (16, info["throughput"])


def test_the_older_ais_infer_sumary_json_is_read(tmp_path):
    path = tmp_path / "sumary.json"
    path.write_text((LOGS / SUMMARY_JSON).read_text())
    assert read_perf_log(path).figure.compute_fps == read_perf_log(LOGS / SUMMARY_JSON).figure.compute_fps


def test_a_cut_ais_bench_summary_json_is_refused(tmp_path):
    path = _cut(tmp_path, SUMMARY_JSON, '"throughput"', 0)
    assert _refused(path) == (f"{path}: incomplete ais_bench summary JSON (cut?): "
                              "Expecting property name enclosed in double quotes: "
                              f"line 1 column {path.stat().st_size + 1} (char {path.stat().st_size})")


def test_ais_bench_summary_json_named_for_another_batch_size_is_refused(tmp_path):
    path = tmp_path / "srcnn_bs16_summary.json"
    path.write_text((LOGS / SUMMARY_JSON).read_text())
    assert _refused(path) == (f"{path}: batch size 16 in the file name but 1 in the log "
                              "('throughput x NPU_compute_time mean / 1000')")


def test_trtexec_shapes_give_the_batch_size_when_the_name_has_none(tmp_path):
    path = _edited(tmp_path, "trtexec_t4_fp16_bs1_trt86.log", "trtexec_t4_fp16.log",
                   ("input.1:1x1x256x256", "input.1:16x1x256x256"), ("to: 1x1x256x256", "to: 16x1x256x256"))
    recorded = read_perf_log(path)
    assert (recorded.batch_size, recorded.figure.compute_fps) == (16, 16 * T4_BS1)


def test_trtexec_named_for_one_batch_size_and_run_at_another_is_refused(tmp_path):
    path = _edited(tmp_path, "trtexec_t4_fp16_bs1_trt10.log", "trtexec_t4_fp16_bs1_trt10.log",
                   ("input.1:1x1x256x256", "input.1:16x1x256x256"))
    assert _refused(path) == f"{path}: batch size 1 in the file name but 16 in the log ('--shapes=input.1:16x')"


def test_ais_bench_batchsize_mean_gives_the_batch_size_when_the_name_has_none(tmp_path):
    path = _edited(tmp_path, "ais_bench_summary_bs1.log", "ais_bench_summary.log",
                   ("batchsize.mean(1)", "batchsize.mean(4.0)"), ("): 348.038", f"): {4000 / 2.8732494727587214}"))
    recorded = read_perf_log(path)
    assert (recorded.batch_size, recorded.figure.compute_fps) == (4, 4000 / 2.8732494727587214)


def test_ais_bench_named_for_another_batch_size_is_refused(tmp_path):
    path = _edited(tmp_path, "ais_bench_summary_bs1.log", "ais_bench_summary_bs16.log")
    assert _refused(path) == f"{path}: batch size 16 in the file name but 1 in the log ('batchsize.mean(1)')"


def test_the_pure_infer_printout_gives_the_batch_size_of_the_file_it_saved(tmp_path):
    path = _edited(tmp_path, "benchmark_pure_infer_stdout_bs1.log", "benchmark_pure_infer_stdout.log")
    recorded = read_perf_log(path)
    assert (recorded.kind, recorded.batch_size, recorded.figure.compute_fps) == ("pure_infer", 1, 348.038)


def test_a_benchmark_dataset_log_gives_the_batch_size_of_its_command_line(tmp_path):
    command = ("./benchmark -model_type=vision -device_id=0 -batch_size=16 -om_path=srcnn_x2_bs16.om "
               "-input_text_path=srcnn_prep_bin.info -input_width=256 -input_height=256\n")
    path = tmp_path / "benchmark_dataset_run.log"
    path.write_text(command + (LOGS / "perf_vision_batchsize_1_device_0.txt").read_text())
    recorded = read_perf_log(path)
    assert (recorded.kind, recorded.batch_size, recorded.figure.compute_fps) == ("perf_vision", 16, 348.038)


def test_an_ais_infer_summary_with_no_batch_size_anywhere_is_refused(tmp_path):
    path = _edited(tmp_path, "ais_infer_summary_bs1.log", "summary.log")
    assert _refused(path) == (f"{path}: ais_bench/ais_infer summary: batch size unknown (the log states none; "
                              "name the file or .om with _bs<N>, e.g. srcnn_x2_bs1)")
