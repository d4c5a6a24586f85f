"""--perf-log and --dump-dir from one model: decided where the tools name the model, said unchecked where not."""
import json
import shutil

from srcnn_support.gate.recorded_link import perf_log_and_dump_dir_check
from tests.conftest import FIXTURES

LOGS = FIXTURES / "logs"


def ais_bench_output(tmp_path, model: str):
    """ais_bench's --output layout: result/<date-time>/ (the outputs) beside result/<date-time>_summary.json."""
    result = tmp_path / "result"
    (result / "2026_07_18-15_30_00").mkdir(parents=True)
    summary = json.loads((LOGS / "2026_07_18-15_30_00_summary.json").read_text())
    summary["args"][summary["args"].index("--model") + 1] = model
    (result / "2026_07_18-15_30_00_summary.json").write_text(json.dumps(summary))
    return result / "2026_07_18-15_30_00"


def test_a_pure_infer_file_and_an_ais_bench_output_of_one_model_pass(tmp_path):
    dump = ais_bench_output(tmp_path, "/home/u/srcnn_x2_bs1.om")
    record = perf_log_and_dump_dir_check("recorded-run", [LOGS / "PureInfer_perf_of_srcnn_x2_bs1_in_device_0.txt"],
                                         dump)
    assert record.passed is True and record.tolerance == "one model: srcnn_x2_bs1.om"


def test_figures_of_another_model_fail_naming_both(tmp_path):
    dump = ais_bench_output(tmp_path, "srcnn_x2_bs1_v2.om")
    log = LOGS / "2026_07_18-15_30_00_summary.json"
    record = perf_log_and_dump_dir_check("recorded-run", [log], dump)
    assert record.passed is False
    summary = dump.parent / f"{dump.name}_summary.json"
    assert record.explanation == (f"{dump} holds outputs of srcnn_x2_bs1_v2.om ({summary}) "
                                  f"but {log.name} timed srcnn_x2_bs1.om")


def test_the_benchmark_tools_files_name_no_model_so_the_link_is_said_unchecked(tmp_path):
    dump = tmp_path / "result" / "dumpOutput_device0"
    dump.mkdir(parents=True)
    shutil.copy(LOGS / "perf_vision_batchsize_1_device_0.txt", tmp_path / "result")
    record = perf_log_and_dump_dir_check("recorded-run", [tmp_path / "result" / "perf_vision_batchsize_1_device_0.txt"],
                                         dump)
    assert record.passed is None
    assert record.reason == ("the perf log / dump dir link could not be checked: dumpOutput_device0 names no model "
                             "(only ais_bench writes one, in <output>_summary.json beside it)")
