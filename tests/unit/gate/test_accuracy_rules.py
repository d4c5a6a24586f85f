"""The accuracy rules as library verdicts: each passes and fails on the right side of its threshold."""
import math

from srcnn_support.gate.accuracy_rules import (
    beats_bicubic_check,
    full_size_beats_bicubic_check,
    full_size_equals_pytorch_check,
    max_abs_check,
    max_abs_reported,
    mean_gain_over_bicubic_check,
    quantized_drop_check,
)
from srcnn_support.score.accuracy import MAX_ABS_TOLERANCE, MAX_STANDARD_PSNR_DROP_DB, MIN_MEAN_GAIN_OVER_BICUBIC_DB


def test_max_abs_passes_at_the_tolerance_and_fails_above_it():
    assert max_abs_check("onnxruntime", "bird", "guide", MAX_ABS_TOLERANCE).passed is True
    failing = max_abs_check("onnxruntime", "bird", "guide", MAX_ABS_TOLERANCE * 2)
    assert failing.passed is False and failing.check == "max_abs_vs_pytorch_guide"
    assert "bird/onnxruntime: output differs from PyTorch's" in failing.explanation


def test_reduced_precision_max_abs_is_reported_not_decided():
    verdict = max_abs_reported("ascend-om", "bird", "natural", 0.01, "ATC precision_mode=allow_fp32_to_fp16")
    assert verdict.passed is None and verdict.to_row()["verdict"] == "skip" and verdict.measured == 0.01


def test_beats_bicubic_needs_a_strictly_higher_psnr():
    assert beats_bicubic_check("pytorch", "bird", 36.0, 35.0).passed is True
    assert beats_bicubic_check("pytorch", "bird", 35.0, 35.0).passed is False
    assert beats_bicubic_check("pytorch", "bird", math.nan, 35.0).passed is False


def test_mean_gain_over_bicubic_threshold_and_nan():
    at_threshold = mean_gain_over_bicubic_check("pytorch", [30.0 + MIN_MEAN_GAIN_OVER_BICUBIC_DB], [30.0])
    assert at_threshold.passed is True and at_threshold.image is None
    assert mean_gain_over_bicubic_check("pytorch", [30.0], [30.0]).passed is False
    assert mean_gain_over_bicubic_check("pytorch", [math.nan], [30.0]).passed is False


def test_quantized_drop_vs_fp32():
    assert quantized_drop_check("onnxruntime-int8", 36.0 - MAX_STANDARD_PSNR_DROP_DB / 2, 36.0).passed is True
    failing = quantized_drop_check("onnxruntime-int8", 36.0 - 2 * MAX_STANDARD_PSNR_DROP_DB - 0.1, 36.0)
    assert failing.passed is False and failing.reference == 36.0 and "below fp32" in failing.explanation


def test_full_size_drop_names_the_dataset_and_its_check():
    verdict = quantized_drop_check("onnxruntime-int8", 31.2, 31.4, "full_size_psnr_drop_vs_fp32", "Set14",
                                   "full-size PSNR")
    assert not verdict and verdict.check == "full_size_psnr_drop_vs_fp32"
    assert verdict.explanation.startswith("Set14/onnxruntime-int8: full-size PSNR 31.200 dB is 0.200 dB below fp32")


def test_full_size_must_beat_bicubic_in_psnr_and_ssim():
    summary = {"psnr": 36.4, "bicubic_psnr": 33.7, "ssim": 0.954, "bicubic_ssim": 0.930}
    assert full_size_beats_bicubic_check("pytorch", "Set5", summary)
    worse_ssim = full_size_beats_bicubic_check("pytorch", "Set5", {**summary, "ssim": 0.92})
    assert not worse_ssim and "Set5/pytorch: full-size PSNR 36.400 dB / SSIM 0.9200" in worse_ssim.explanation
    assert not full_size_beats_bicubic_check("pytorch", "Set5", {**summary, "psnr": math.nan})


def test_full_size_figures_stand_in_for_pytorch_only_within_the_exact_rule():
    import numpy as np

    reference = np.random.default_rng(0).random((321, 481), dtype=np.float32)
    assert full_size_equals_pytorch_check("openvino", "BSD68", "3096", reference + 5e-5, reference)
    off = full_size_equals_pytorch_check("openvino", "BSD68", "3096", reference + 3e-4, reference)
    assert not off and off.image == "3096" and off.check == "full_size_equals_pytorch"
    assert "BSD68/3096/openvino: full-size output differs from PyTorch's by max-abs 0.0003" in off.explanation
