"""The accuracy gate: per image and backend, the guide's 1% rule against the live PyTorch reference
and (for the official weights) the published table, plus output equality and quality over bicubic."""
from __future__ import annotations

import math

import pytest

from srcnn_support.backends.registry import ACCURACY_BACKENDS, QUANTIZED_BACKENDS
from srcnn_support.cache import sha256_file
from srcnn_support.convert.quantize import calibration_files
from srcnn_support.diagnose.failure_diagnosis import dumps_from_guide_outputs
from srcnn_support.errors import MissingRuntimeError
from srcnn_support.gate.config import PUBLISHED_TABLE
from srcnn_support.gate.verdicts import relative_check
from srcnn_support.prepare.guide_files import Layout
from srcnn_support.score.accuracy import (
    MAX_ABS_TOLERANCE,
    MAX_STANDARD_PSNR_DROP_DB,
    MIN_MEAN_GAIN_OVER_BICUBIC_DB,
    RELATIVE_TOLERANCE,
    BackendOutcome,
    PublishedTable,
    broken_backend_reason,
    equality_rule,
    measurement_row,
)
from srcnn_support.score.evaluate import mean

pytestmark = pytest.mark.accuracy


def outcome_of(accuracy, recorder, backend: str) -> BackendOutcome:
    try:
        outcome = accuracy.outcome(backend)
    except MissingRuntimeError as exc:
        recorder.add_verdict(backend, None, "runtime", None, reason=str(exc))
        pytest.skip(str(exc))
    except Exception as exc:  # a crash, hang or fault of this backend: its tests fail, the others still run
        reason = broken_backend_reason(backend, exc)
        recorder.add_verdict(backend, None, "runtime", False, reason=reason)
        pytest.fail(reason, pytrace=False)
    for name in outcome.scores:
        recorder.add_measurement(backend, name, measurement_row(accuracy, backend, name))
    return outcome


def require_finite(score, backend: str) -> None:
    if not score.finite:
        pytest.fail(f"{score.image}/{backend}: network output contains NaN or Inf", pytrace=False)


def check_relative(recorder, backend, image, check, measured, reference, tolerance=RELATIVE_TOLERANCE, explain=None):
    verdict = relative_check(backend, image, check, measured, reference, tolerance, explain)
    recorder.record(verdict)
    assert verdict, verdict.explanation


def explain_failure(accuracy, backend: str, image: str | None = None):
    """Issue 14: the porting mistake that reproduces this backend's outputs, for its failure message."""
    if accuracy.diagnoses is None:
        return None
    return lambda: accuracy.diagnoses.message(backend, dumps_from_guide_outputs(accuracy.outcome(backend).guide), image)


@pytest.fixture(scope="session")
def published(weights_identity) -> PublishedTable:
    table = PublishedTable.load(PUBLISHED_TABLE)
    if weights_identity.md5 != table.weights_md5:
        pytest.skip(f"published table holds for the official weights only (md5 {table.weights_md5}); "
                    f"these weights have md5 {weights_identity.md5}")
    return table


def test_guide_psnr_within_1pct_of_live_reference(accuracy, recorder, backend, image_name):
    outcome = outcome_of(accuracy, recorder, backend)
    score = outcome.scores[image_name]
    require_finite(score, backend)
    reference = accuracy.reference.scores[image_name].guide_psnr_natural_clamped
    check_relative(recorder, backend, image_name, "guide_psnr_vs_live_reference",
                   score.guide_psnr_guide_layout, reference, explain=explain_failure(accuracy, backend, image_name))


def test_mean_guide_psnr_within_1pct_of_live_reference(accuracy, recorder, backend):
    outcome = outcome_of(accuracy, recorder, backend)
    for score in outcome.scores.values():
        require_finite(score, backend)
    measured = mean(s.guide_psnr_guide_layout for s in outcome.scores.values())
    reference = mean(s.guide_psnr_natural_clamped for s in accuracy.reference.scores.values())
    check_relative(recorder, backend, None, "mean_guide_psnr_vs_live_reference", measured, reference,
                   explain=explain_failure(accuracy, backend))


def test_guide_psnr_within_1pct_of_published(accuracy, recorder, published, backend, image_name):
    if image_name not in published.reference_script:
        pytest.skip(f"'{image_name}' is not in the published table ({', '.join(published.reference_script)})")
    score = outcome_of(accuracy, recorder, backend).scores[image_name]
    require_finite(score, backend)
    check_relative(recorder, backend, image_name, "guide_psnr_vs_published",
                   score.guide_psnr_guide_layout, published.reference_script[image_name],
                   explain=explain_failure(accuracy, backend, image_name))


def test_mean_guide_psnr_within_1pct_of_published(accuracy, recorder, published, backend):
    outcome = outcome_of(accuracy, recorder, backend)
    if set(outcome.scores) != set(published.reference_script):
        pytest.skip("the published mean covers exactly the five Set5 images; this dataset differs")
    measured = mean(s.guide_psnr_guide_layout for s in outcome.scores.values())
    reference = mean(published.reference_script.values())
    check_relative(recorder, backend, None, "mean_guide_psnr_vs_published", measured, reference)


@pytest.mark.parametrize("backend", [b for b in ACCURACY_BACKENDS if b != "pytorch" and b not in QUANTIZED_BACKENDS])
def test_output_equals_pytorch(accuracy, recorder, backend, image_name):
    precision = outcome_of(accuracy, recorder, backend).info.precision
    if equality_rule(backend, accuracy.options.precision_mode, precision) == "psnr":
        reduced_precision_output_close_to_pytorch(accuracy, recorder, backend, image_name, precision)
        return
    for layout in (Layout.NATURAL, Layout.GUIDE):
        difference = accuracy.max_abs_vs_reference(backend, image_name, layout)
        passed = difference <= MAX_ABS_TOLERANCE
        recorder.add_verdict(backend, image_name, f"max_abs_vs_pytorch_{layout.value}", passed, difference,
                             0.0, f"max-abs {MAX_ABS_TOLERANCE:g}")
        assert passed, (f"{image_name}/{backend}: output differs from PyTorch's by max-abs {difference:.3g} "
                        f"on the {layout.value} layout > tolerance {MAX_ABS_TOLERANCE:g}")


def reduced_precision_output_close_to_pytorch(accuracy, recorder, backend, image_name, precision):
    """Issue 13 finding 7: an fp16-built .om or engine reports its max-abs and is gated on PSNR (1% of PyTorch's)."""
    built = f"ATC precision_mode={accuracy.options.precision_mode}" if backend == "ascend-om" else f"{precision} engine"
    for layout in (Layout.NATURAL, Layout.GUIDE):
        difference = accuracy.max_abs_vs_reference(backend, image_name, layout)
        recorder.add_verdict(backend, image_name, f"max_abs_vs_pytorch_{layout.value}", None, difference, 0.0,
                             f"reported, not gated ({built})", reason="reduced-precision artifact: PSNR rule")
    score = accuracy.outcome(backend).scores[image_name]
    require_finite(score, backend)
    check_relative(recorder, backend, image_name, f"guide_psnr_vs_pytorch ({built} rule)",
                   score.guide_psnr_guide_layout, accuracy.reference.scores[image_name].guide_psnr_guide_layout)


def test_standard_psnr_beats_bicubic(accuracy, recorder, backend, image_name):
    score = outcome_of(accuracy, recorder, backend).scores[image_name]
    require_finite(score, backend)
    passed = score.standard_psnr > score.bicubic_psnr
    recorder.add_verdict(backend, image_name, "standard_psnr_beats_bicubic", passed, score.standard_psnr,
                         score.bicubic_psnr, "> bicubic")
    assert passed, (f"{image_name}/{backend}: standard PSNR {score.standard_psnr:.3f} dB does not beat "
                    f"bicubic {score.bicubic_psnr:.3f} dB")


def test_mean_standard_gain_over_bicubic(accuracy, recorder, backend):
    scores = list(outcome_of(accuracy, recorder, backend).scores.values())
    for score in scores:
        require_finite(score, backend)
    gain = mean(s.standard_psnr for s in scores) - mean(s.bicubic_psnr for s in scores)
    passed = math.isfinite(gain) and gain >= MIN_MEAN_GAIN_OVER_BICUBIC_DB
    recorder.add_verdict(backend, None, "mean_standard_gain_over_bicubic", passed, gain,
                         MIN_MEAN_GAIN_OVER_BICUBIC_DB, f">= {MIN_MEAN_GAIN_OVER_BICUBIC_DB} dB")
    assert passed, (f"mean/{backend}: standard PSNR gain over bicubic {gain:.3f} dB < "
                    f"{MIN_MEAN_GAIN_OVER_BICUBIC_DB} dB")


@pytest.mark.parametrize("backend", QUANTIZED_BACKENDS)
def test_quantized_standard_psnr_close_to_fp32(accuracy, recorder, backend):
    scores = list(outcome_of(accuracy, recorder, backend).scores.values())
    for score in scores:
        require_finite(score, backend)
    measured = mean(s.standard_psnr for s in scores)
    reference = mean(s.standard_psnr for s in accuracy.reference.scores.values())
    drop = reference - measured
    passed = drop <= MAX_STANDARD_PSNR_DROP_DB
    recorder.add_verdict(backend, None, "standard_psnr_drop_vs_fp32", passed, measured, reference,
                         f"<= {MAX_STANDARD_PSNR_DROP_DB} dB below fp32")
    assert passed, (f"mean/{backend}: standard PSNR {measured:.3f} dB is {drop:.3f} dB below fp32 "
                    f"{reference:.3f} dB > {MAX_STANDARD_PSNR_DROP_DB} dB")


def test_int8_calibration_images_are_not_test_images(gate, recorder):
    """Issue 7: INT8 is calibrated on training images only; a --calibration-dir pointing at the test set is caught."""
    if gate.calibration_dir is None or not gate.calibration_dir.is_dir():
        pytest.skip(f"no INT8 calibration directory ({gate.calibration_dir}); the INT8 backend is skipped too")
    calibration = {sha256_file(f): f for f in calibration_files(gate.calibration_dir)}
    shared = sorted(f.name for f in gate.dataset.files if sha256_file(f) in calibration)
    recorder.add_verdict("onnxruntime-int8", None, "calibration_disjoint_from_test_images", not shared,
                         len(shared), 0, "no test image among the calibration images")
    assert calibration, f"{gate.calibration_dir}: no calibration images found"
    assert not shared, (f"{gate.calibration_dir}: {len(shared)} calibration image(s) are test images of "
                        f"{gate.dataset.label}: {', '.join(shared)}")
