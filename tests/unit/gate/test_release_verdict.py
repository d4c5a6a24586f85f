"""The report's and the terminal's first line: RELEASE PASS or FAIL, counts, every failing check named."""
from srcnn_support.gate.release_verdict import release_verdict

ACCURACY = {"verdicts": [
    {"backend": "onnxruntime", "image": "baby", "check": "guide_psnr_vs_live_reference", "verdict": "pass"},
    {"backend": "onnxruntime", "image": None, "check": "mean_guide_psnr_vs_live_reference", "verdict": "pass"},
    {"backend": "tensorrt", "image": None, "check": "runtime", "verdict": "skip", "reason": "no TensorRT"},
]}
PERF = {"perf": [
    {"target": "cpu", "backend": "onnxruntime", "batch_size": 1, "verdict": "pass", "gate": ">= 0.95 x bare"},
    {"target": "cpu", "backend": "onnxruntime", "batch_size": 4, "verdict": "recorded"},
]}


def test_all_decided_checks_passing_is_a_release_pass():
    verdict = release_verdict([ACCURACY, PERF])
    assert verdict
    assert verdict.headline() == "RELEASE PASS: 3 of 3 checks passed (2 skipped or recorded only)"


def test_each_failing_check_is_named_on_the_one_line():
    failing_accuracy = {"verdicts": ACCURACY["verdicts"] + [
        {"backend": "ascend-om", "image": "bird", "check": "guide_psnr_vs_live_reference", "verdict": "fail"},
        {"backend": "onnxruntime-fp16", "image": None, "check": "runtime", "verdict": "fail", "reason": "crashed"}]}
    failing_perf = {"perf": PERF["perf"] + [
        {"target": "cpu", "backend": "onnxruntime-int8", "batch_size": 1, "verdict": "fail", "gate": ">= 1.5 x fp32"}],
        "meta": {"per_card": [{"target": "ascend310", "batch_size": 1, "fps_per_card": 1000.0, "verdict": "fail"}]}}
    verdict = release_verdict([failing_accuracy, failing_perf])
    assert not verdict
    line = verdict.headline()
    assert "\n" not in line
    assert line.startswith("RELEASE FAIL: 4 of 7 checks failed (2 skipped or recorded only): ")
    for name in ("ascend-om/bird: guide_psnr_vs_live_reference", "onnxruntime-fp16: backend broken",
                 "cpu/onnxruntime-int8/bs1: >= 1.5 x fp32", "ascend310/bs1: per-card 1000.000 images/s"):
        assert name in line


def test_nothing_decided_is_not_a_pass():
    verdict = release_verdict([{"verdicts": [ACCURACY["verdicts"][2]]}])
    assert not verdict and verdict.headline().startswith("RELEASE FAIL: no check was decided")
