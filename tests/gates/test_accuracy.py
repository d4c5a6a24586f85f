"""The accuracy gate: per image and backend, the guide's 1% rule against the live PyTorch reference
and (for the official weights) the published table, plus output equality and quality over bicubic."""
from __future__ import annotations

import pytest

from srcnn_support.backends.registry import ACCURACY_BACKENDS, QUANTIZED_BACKENDS
from srcnn_support.cache import sha256_file
from srcnn_support.convert.quantize import calibration_files
from srcnn_support.diagnose.failure_diagnosis import failure_explainer
from srcnn_support.errors import MissingRuntimeError
from srcnn_support.gate.accuracy_rules import (
    RULES,
    RuleInputs,
    max_abs_check,
    max_abs_reported,
    quantized_drop_check,
)
from srcnn_support.gate.config import PUBLISHED_TABLE
from srcnn_support.gate.output_error import error_quantile, output_error_check
from srcnn_support.gate.verdicts import relative_check
from srcnn_support.layers.failure import with_first_divergence
from srcnn_support.prepare.datasets import calibration_not_found
from srcnn_support.prepare.guide_files import Layout
from srcnn_support.score.accuracy import (
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


def apply(recorder, verdict) -> None:
    recorder.record(verdict)
    assert verdict, verdict.explanation


@pytest.fixture(scope="session")
def published(weights_identity) -> PublishedTable:
    table = PublishedTable.load(PUBLISHED_TABLE)
    if weights_identity.md5 != table.weights_md5:
        pytest.skip(f"published table holds for the official weights only (md5 {table.weights_md5}); "
                    f"these weights have md5 {weights_identity.md5}")
    return table


def rule_inputs(accuracy, recorder, backend: str, published: PublishedTable | None = None) -> RuleInputs:
    outcome = outcome_of(accuracy, recorder, backend)
    for score in outcome.scores.values():
        require_finite(score, backend)
    return RuleInputs(backend, outcome.scores, accuracy.reference.scores,
                      published.reference_script if published else None,
                      with_first_divergence(failure_explainer(accuracy, backend), accuracy.layer_diagnoses, backend))


def apply_rule(recorder, check: str, inputs: RuleInputs, image: str | None = None) -> None:
    """One rule of the composed list (``ACCURACY_RULES``) on one image or on the dataset."""
    verdict = RULES[check].decide(inputs, image)
    if verdict is None:
        pytest.skip(f"{check} does not apply to {image or 'this dataset'}: the published table covers "
                    f"{', '.join(inputs.published or ())}")
    if verdict.passed is None:  # reported, not decided: the reference's own layout effect
        recorder.record(verdict)
        pytest.skip(verdict.reason)
    apply(recorder, verdict)


def test_guide_psnr_within_1pct_of_live_reference(accuracy, recorder, backend, image_name):
    apply_rule(recorder, "guide_psnr_vs_live_reference", rule_inputs(accuracy, recorder, backend), image_name)


def test_mean_guide_psnr_within_1pct_of_live_reference(accuracy, recorder, backend):
    apply_rule(recorder, "mean_guide_psnr_vs_live_reference", rule_inputs(accuracy, recorder, backend))


def test_guide_psnr_within_1pct_of_published(accuracy, recorder, published, backend, image_name):
    apply_rule(recorder, "guide_psnr_vs_published", rule_inputs(accuracy, recorder, backend, published), image_name)


def test_mean_guide_psnr_within_1pct_of_published(accuracy, recorder, published, backend):
    apply_rule(recorder, "mean_guide_psnr_vs_published", rule_inputs(accuracy, recorder, backend, published))


@pytest.mark.parametrize("backend", [b for b in ACCURACY_BACKENDS if b != "pytorch" and b not in QUANTIZED_BACKENDS])
def test_output_equals_pytorch(accuracy, recorder, backend, image_name):
    precision = outcome_of(accuracy, recorder, backend).info.precision
    if equality_rule(backend, accuracy.options.precision_mode, precision) == "psnr":
        reduced_precision_output_close_to_pytorch(accuracy, recorder, backend, image_name, precision)
        return
    layers = with_first_divergence(None, accuracy.layer_diagnoses, backend)
    for layout in (Layout.NATURAL, Layout.GUIDE):
        difference = accuracy.max_abs_vs_reference(backend, image_name, layout)
        apply(recorder, max_abs_check(backend, image_name, layout.value, difference,
                                      (lambda: layers(image_name)) if layers else None))


def reduced_precision_output_close_to_pytorch(accuracy, recorder, backend, image_name, precision):
    """An fp16-built .om or engine: its max-abs is reported and it is gated on PSNR (1% of PyTorch's)."""
    built = f"ATC precision_mode={accuracy.options.precision_mode}" if backend == "ascend-om" else f"{precision} engine"
    for layout in (Layout.NATURAL, Layout.GUIDE):
        difference = accuracy.max_abs_vs_reference(backend, image_name, layout)
        recorder.record(max_abs_reported(backend, image_name, layout.value, difference, built))
    score = accuracy.outcome(backend).scores[image_name]
    require_finite(score, backend)
    apply(recorder, relative_check(backend, image_name, f"guide_psnr_vs_pytorch ({built} rule)",
                                   score.guide_psnr_guide_layout,
                                   accuracy.reference.scores[image_name].guide_psnr_guide_layout, RELATIVE_TOLERANCE))


def test_standard_psnr_beats_bicubic(accuracy, recorder, backend, image_name):
    apply_rule(recorder, "standard_psnr_beats_bicubic", rule_inputs(accuracy, recorder, backend), image_name)


def test_mean_standard_gain_over_bicubic(accuracy, recorder, backend):
    apply_rule(recorder, "mean_standard_gain_over_bicubic", rule_inputs(accuracy, recorder, backend))


@pytest.mark.parametrize("backend", QUANTIZED_BACKENDS)
def test_reduced_precision_output_error_within_its_tolerance(accuracy, recorder, backend, image_name):
    """p99 and max of |backend - PyTorch| against the precision's tolerance (decision 0010)."""
    outcome = outcome_of(accuracy, recorder, backend)
    output, reference = outcome.natural[image_name], accuracy.reference.natural[image_name]
    explain = with_first_divergence(None, accuracy.layer_diagnoses, backend)
    verdict = output_error_check(backend, image_name, outcome.info.precision, error_quantile(output, reference),
                                 accuracy.max_abs_vs_reference(backend, image_name, Layout.NATURAL),
                                 (lambda: explain(image_name)) if explain else None)
    if verdict.passed is None:
        recorder.record(verdict)
        pytest.skip(verdict.reason)
    apply(recorder, verdict)


@pytest.mark.parametrize("backend", QUANTIZED_BACKENDS)
def test_quantized_standard_psnr_close_to_fp32(accuracy, recorder, backend):
    scores = list(outcome_of(accuracy, recorder, backend).scores.values())
    for score in scores:
        require_finite(score, backend)
    measured = mean(s.standard_psnr for s in scores)
    reference = mean(s.standard_psnr for s in accuracy.reference.scores.values())
    apply(recorder, quantized_drop_check(backend, measured, reference))


def test_int8_calibration_images_are_not_test_images(gate, recorder):
    """INT8 is calibrated on training images only; a --calibration-dir pointing at the test set is caught."""
    if gate.calibration_dir is None and gate.calibration_looked:
        pytest.skip(f"onnxruntime-int8: {calibration_not_found(gate.calibration_looked)}")
    if gate.calibration_dir is None or not gate.calibration_dir.is_dir():
        pytest.skip(f"no INT8 calibration directory ({gate.calibration_dir}); the INT8 backend is skipped too")
    calibration = {sha256_file(f): f for f in calibration_files(gate.calibration_dir)}
    shared = sorted(f.name for f in gate.dataset.files if sha256_file(f) in calibration)
    recorder.add_verdict("onnxruntime-int8", None, "calibration_disjoint_from_test_images", not shared,
                         len(shared), 0, "no test image among the calibration images")
    assert calibration, f"{gate.calibration_dir}: no calibration images found"
    assert not shared, (f"{gate.calibration_dir}: {len(shared)} calibration image(s) are test images of "
                        f"{gate.dataset.label}: {', '.join(shared)}")
