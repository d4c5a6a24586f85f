import math

import numpy as np
import pytest

from srcnn_support.layers.metrics import (
    FP16_MAX,
    FP16_SMALLEST_NORMAL,
    MSIT_THRESHOLDS,
    LayerMetrics,
    layer_metrics,
    thresholds_for,
)

RNG = np.random.default_rng(0)
GOLDEN = RNG.random((2, 4, 8, 8)).astype(np.float32) + 0.5


def test_equal_tensors_are_identical_by_every_metric():
    metrics = layer_metrics(GOLDEN, GOLDEN.copy())
    assert metrics.cosine == pytest.approx(1.0)
    assert (metrics.red, metrics.kl, metrics.rmse, metrics.mre, metrics.max_abs, metrics.max_rel) == (0, 0, 0, 0, 0, 0)
    assert MSIT_THRESHOLDS.exceeded(metrics) == []


def test_a_ten_percent_scale_keeps_the_cosine_and_moves_the_relative_metrics_by_ten_percent():
    metrics = layer_metrics(GOLDEN, GOLDEN * 1.1)
    assert metrics.cosine == pytest.approx(1.0)
    assert metrics.red == pytest.approx(0.1, rel=1e-5)
    assert metrics.mre == pytest.approx(0.1, rel=1e-5)
    assert metrics.max_rel == pytest.approx(0.1, rel=1e-5)
    assert metrics.max_abs == pytest.approx(float(GOLDEN.max()) * 0.1, rel=1e-5)
    assert metrics.rmse == pytest.approx(float(np.sqrt(np.mean((GOLDEN.astype(np.float64) * 0.1) ** 2))), rel=1e-5)
    assert MSIT_THRESHOLDS.exceeded(metrics) == ["RelativeEuclideanDistance"]


def test_opposite_tensors_fail_the_cosine_and_the_divergence():
    metrics = layer_metrics(GOLDEN, 2 * GOLDEN.mean() - GOLDEN)  # mirrored about the mean
    assert metrics.cosine < 0.99
    assert "CosineSimilarity" in MSIT_THRESHOLDS.exceeded(metrics)
    assert "KullbackLeiblerDivergence" in MSIT_THRESHOLDS.exceeded(metrics)


def test_relative_errors_leave_out_the_zeros_of_the_reference():
    golden = np.array([0.0, 1.0, 2.0])
    metrics = layer_metrics(golden, np.array([5.0, 1.5, 2.0]))
    assert metrics.mre == pytest.approx(0.25)
    assert metrics.max_rel == pytest.approx(0.5)
    assert metrics.max_abs == pytest.approx(5.0)


def test_fp16_overflow_counts_reference_values_beyond_65504_and_infinite_outputs():
    golden = np.array([1.0, 2 * FP16_MAX, 3.0, 4.0])
    metrics = layer_metrics(golden, np.array([1.0, np.inf, np.nan, 4.0], dtype=np.float16))
    assert metrics.fp16_overflow == 2  # the element the reference cannot hold in fp16 (returned inf), and the NaN
    assert layer_metrics(golden[:1], np.array([3 * FP16_MAX])).fp16_overflow == 1  # the backend's own value too
    assert "OverFlow" in MSIT_THRESHOLDS.exceeded(metrics)


def test_fp16_underflow_counts_small_reference_values_returned_as_zero():
    tiny = FP16_SMALLEST_NORMAL / 4
    metrics = layer_metrics(np.array([tiny, tiny, 1.0, 0.0]), np.array([0.0, tiny, 1.0, 0.0]))
    assert metrics.fp16_underflow == 1


def test_an_empty_record_field_is_skipped_as_msit_skips_nan():
    metrics = LayerMetrics(math.nan, 0.5, math.nan, math.nan, math.nan, math.nan, math.nan, 0, 0)
    assert MSIT_THRESHOLDS.exceeded(metrics) == ["RelativeEuclideanDistance"]


def test_fp32_backends_are_held_to_a_tighter_relative_euclidean_distance():
    metrics = layer_metrics(GOLDEN, GOLDEN * 1.001)
    assert MSIT_THRESHOLDS.exceeded(metrics) == []
    assert thresholds_for("fp32").exceeded(metrics) == ["RelativeEuclideanDistance"]
    assert thresholds_for("fp32").exceeded(layer_metrics(GOLDEN, GOLDEN * (1 + 1e-6))) == []
    assert thresholds_for("fp16") == thresholds_for("int8") == MSIT_THRESHOLDS
