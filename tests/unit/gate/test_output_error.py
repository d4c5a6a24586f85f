import numpy as np
import pytest

from srcnn_support.gate.output_error import MEASURED_ON, TOLERANCES, error_quantile, output_error_check


def test_the_quantile_ignores_a_tail_the_max_sees():
    reference = np.zeros((100, 100))
    output = reference.copy()
    output[0, :50] = 0.04  # 0.5% of the pixels, one broken row
    assert error_quantile(output, reference) == 0.0
    assert error_quantile(output, reference, 0.999) == pytest.approx(0.04)


def test_a_non_finite_output_has_an_infinite_error():
    assert error_quantile(np.array([np.nan, 0.0]), np.zeros(2)) == float("inf")


@pytest.mark.parametrize(("precision", "p99", "max_abs", "passed"), [
    ("int8", 3.8e-3, 4.0e-2, True),  # the worst INT8 image measured (Set14): its tail passes
    ("int8", 2.6e-2, 3.1e-2, False),  # conv2's weights x 1.05, the mildest image of BSD68
    ("fp16", 1.25e-4, 2.6e-4, True),
    ("fp16", 1.2e-4, 2e-3, False),  # one bad tile
    ("bf16", 4.5e-3, 8.8e-3, True),  # OpenVINO bf16's worst p99 and worst max over Set5, Set14 and BSD68
    ("bf16", 3.5e-2, 4.3e-2, False),  # conv2's weights x 1.05 under OpenVINO bf16, its mildest image
    ("bf16", 4.5e-3, 4.0e-2, False),  # INT8's worst tail: not a bf16 one
])
def test_measured_backends_are_decided_on_p99_and_max(precision, p99, max_abs, passed):
    backend = next(name for name in MEASURED_ON if name.endswith(f"-{precision}"))
    verdict = output_error_check(backend, "baby", precision, p99, max_abs)
    assert verdict.passed is passed
    assert verdict.tolerance == f"p99 <= {TOLERANCES[precision][0]:g} and max <= {TOLERANCES[precision][1]:g} " \
                                f"({precision})"


def test_the_failure_message_carries_the_explanation():
    verdict = output_error_check("onnxruntime-fp16", "baby", "fp16", 0.05, 0.05, lambda: "first diverging layer conv3")
    assert verdict.explanation.endswith("decision 0010\nfirst diverging layer conv3")


def test_runtimes_not_measured_are_recorded_not_decided():
    verdict = output_error_check("torch-cuda-fp16", "baby", "fp16", 1e-4, 1e-3)
    assert verdict.passed is None and "recorded" in verdict.reason
