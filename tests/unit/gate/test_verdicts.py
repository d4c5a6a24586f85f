"""CheckRecord objects: the guide's 1% rule decided in the library, with what was measured against what."""
from srcnn_support.gate.verdicts import relative_check
from srcnn_support.report.results import ResultsRecorder


def test_within_one_percent_passes_and_carries_its_figures():
    verdict = relative_check("onnxruntime", "bird", "guide_psnr_vs_live_reference", 36.5, 36.6, 0.01)
    assert verdict and verdict.measured == 36.5 and verdict.reference == 36.6 and verdict.tolerance == "1% relative"
    assert verdict.reason is None


def test_beyond_one_percent_fails_naming_the_deviation_and_the_explanation():
    verdict = relative_check("ascend-om", None, "mean_guide_psnr", 30.0, 36.0, 0.01, explain=lambda: "cause: bgr")
    assert not verdict and verdict.reason == "cause: bgr"
    assert "mean/ascend-om: mean_guide_psnr" in verdict.explanation and "16.667% > tolerance 1%" in verdict.explanation


def test_the_recorder_stores_a_verdict_as_the_results_row():
    recorder = ResultsRecorder()
    recorder.record(relative_check("pytorch", "baby", "c", 10.0, 10.0, 0.01))
    (row,) = recorder.verdicts
    assert row == {"backend": "pytorch", "image": "baby", "check": "c", "verdict": "pass", "measured": 10.0,
                   "reference": 10.0, "tolerance": "1% relative", "reason": None}


def test_a_record_made_from_numpy_scalars_is_plain_and_goes_through_json():
    """Found by `pytest -m "accuracy or perf" -n 2`: a numpy.bool_ verdict made the worker's hand-over fail and the
    controller wrote no results at all."""
    import json

    import numpy as np

    from srcnn_support.gate.verdicts import CheckRecord

    record = CheckRecord("cpu/x", None, "outputs_while_timed", np.float64(0.5) <= 1.0, np.float64(0.5), np.float32(1))
    assert type(record.passed) is bool and type(record.measured) is float and type(record.reference) is float
    assert CheckRecord(**json.loads(json.dumps(record.as_dict()))) == record
