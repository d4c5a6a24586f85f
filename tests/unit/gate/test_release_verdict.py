"""The RELEASE line: computed once from a document's checks, each counted once, failures grouped."""
from srcnn_support.gate.release_verdict import headline_of, release_verdict
from srcnn_support.gate.verdicts import CheckRecord, failed_test_record
from srcnn_support.report.results import ResultsRecorder

PASSING = [
    {"backend": "onnxruntime", "image": "baby", "check": "guide_psnr_vs_live_reference", "verdict": "pass"},
    {"backend": "onnxruntime", "image": None, "check": "mean_guide_psnr_vs_live_reference", "verdict": "pass"},
    {"backend": "tensorrt", "image": None, "check": "runtime", "verdict": "skip", "reason": "no TensorRT"},
    {"backend": "cpu/onnxruntime", "image": None, "check": "min_ratio_to_bare_runtime", "verdict": "pass",
     "batch_size": 1, "target": "cpu"},
]


def test_all_decided_checks_passing_is_a_release_pass():
    verdict = release_verdict(PASSING)
    assert verdict and verdict.status == "PASS"
    assert verdict.headline() == "RELEASE PASS: 3 of 3 checks passed (1 not decided)"


def test_failures_are_grouped_by_check_on_one_line():
    failing = [{"backend": b, "image": i, "check": "standard_psnr_beats_bicubic", "verdict": "fail"}
               for b in ("onnxruntime", "onnxruntime-fp16", "pytorch") for i in ("baby", "bird", "butterfly")]
    failing.append({"backend": "cpu/onnxruntime-int8", "image": None, "check": "min_speedup", "verdict": "fail",
                    "batch_size": 1, "target": "cpu"})
    verdict = release_verdict(PASSING + failing)
    line = verdict.headline()
    assert not verdict and "\n" not in line
    assert line.startswith("RELEASE FAIL: 10 of 13 checks failed (1 not decided): ")
    assert "standard_psnr_beats_bicubic: 9 (3 backends x 3 images)" in line
    assert "min_speedup: 1 (cpu/onnxruntime-int8/bs1)" in line  # no message: the group names it alone


def test_a_cause_joins_its_group():
    rows = [{"backend": "recorded-run", "image": i, "check": "guide_psnr_vs_live_reference", "verdict": "fail"}
            for i in ("baby", "bird")]
    line = release_verdict(rows, causes={"recorded-run": "bgr-order"}).headline()
    assert "guide_psnr_vs_live_reference: 2 (recorded-run x 2 images; cause: bgr-order)" in line


def test_nothing_decided_is_undecided_naming_why():
    verdict = release_verdict([PASSING[2]], why_undecided=["perf target ascend310 is not on this machine"])
    assert not verdict and verdict.status == "UNDECIDED"
    assert verdict.headline() == ("RELEASE UNDECIDED: no check was decided (1 not decided): "
                                  "no TensorRT; perf target ascend310 is not on this machine")


def test_a_skipped_runtime_counted_in_its_skips_is_named_once():
    verdict = release_verdict([PASSING[2]], why_undecided=["no TensorRT (3 tests skipped)"])
    assert verdict.headline() == ("RELEASE UNDECIDED: no check was decided (1 not decided): "
                                  "no TensorRT (3 tests skipped)")


def test_one_key_is_one_decision():
    card = {"backend": "ascend310/ascend-om", "image": None, "check": "min_fps_per_card", "verdict": "pass",
            "batch_size": 1, "target": "ascend310"}
    assert release_verdict([card, card]).passed == 1


def test_a_failed_test_without_a_failed_check_fails_the_release():
    recorder = ResultsRecorder()
    recorder.current_test = "tests/gates/test_accuracy.py::test_a[onnxruntime-baby]"
    recorder.record(CheckRecord("onnxruntime", "baby", "guide_psnr_vs_live_reference", True, 30.0, 30.0))
    recorder.add_test_failure(recorder.current_test, "call", "assert finite")
    recorder.add_test_failure("tests/gates/test_x.py::test_b[pytorch]", "setup", "fixture error")
    document = recorder.document()
    assert document["release"]["status"] == "FAIL" and document["release"]["failed"] == 2
    assert headline_of(document) == document["release"]["headline"]
    assert "test_b (error in setup): 1 (pytorch/mean: fixture error)" in document["release"]["headline"]


def test_a_failed_test_whose_check_failed_counts_once():
    recorder = ResultsRecorder()
    for nodeid in ("t::test_a[onnxruntime-baby]", "t::test_b[onnxruntime]"):
        recorder.current_test = nodeid  # a broken backend: every test of it records the same runtime check
        recorder.record(CheckRecord("onnxruntime", None, "runtime", False, reason="crashed"))
        recorder.add_test_failure(nodeid, "call", "crashed")
    assert recorder.document()["release"]["failed"] == 1


def test_records_round_trip_through_json_rows():
    record = CheckRecord("cpu/onnxruntime", None, "min_fps", False, 10.0, 20.0, ">= 20 fps", explanation="slow",
                         batch_size=16, target="cpu", test="t::x")
    assert CheckRecord.from_row(record.to_row()) == record
    assert failed_test_record("a.py::test_c", "call", "boom").passed is False
