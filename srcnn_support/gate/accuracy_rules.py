"""The accuracy rules beyond the 1% check, each a function returning a ``Verdict``.

The gate tests, the unit tests and a recorded run apply the same functions, so a rule is written once.
"""
from __future__ import annotations

import math

from srcnn_support.diagnose.failure_diagnosis import dumps_from_guide_outputs
from srcnn_support.gate.verdicts import Verdict
from srcnn_support.score.accuracy import MAX_ABS_TOLERANCE, MAX_STANDARD_PSNR_DROP_DB, MIN_MEAN_GAIN_OVER_BICUBIC_DB
from srcnn_support.score.evaluate import mean


def max_abs_check(backend: str, image: str, layout: str, difference: float) -> Verdict:
    """A full-precision port must reproduce PyTorch's output to ``MAX_ABS_TOLERANCE`` on each layout."""
    passed = difference <= MAX_ABS_TOLERANCE
    message = (f"{image}/{backend}: output differs from PyTorch's by max-abs {difference:.3g} "
               f"on the {layout} layout > tolerance {MAX_ABS_TOLERANCE:g}")
    return Verdict(backend, image, f"max_abs_vs_pytorch_{layout}", passed, difference, 0.0,
                   f"max-abs {MAX_ABS_TOLERANCE:g}", explanation=message)


def max_abs_reported(backend: str, image: str, layout: str, difference: float, built: str) -> Verdict:
    """A reduced-precision artifact's max-abs: recorded, not decided (the PSNR rule decides)."""
    return Verdict(backend, image, f"max_abs_vs_pytorch_{layout}", None, difference, 0.0,
                   f"reported, not gated ({built})", "reduced-precision artifact: PSNR rule")


def beats_bicubic_check(backend: str, image: str, standard_psnr: float, bicubic_psnr: float,
                        explain=None) -> Verdict:
    passed = standard_psnr > bicubic_psnr
    reason = explain() if explain and not passed else None
    message = (f"{image}/{backend}: standard PSNR {standard_psnr:.3f} dB does not beat "
               f"bicubic {bicubic_psnr:.3f} dB" + (f"\n{reason}" if reason else ""))
    return Verdict(backend, image, "standard_psnr_beats_bicubic", passed, standard_psnr, bicubic_psnr,
                   "> bicubic", reason, message)


def mean_gain_over_bicubic_check(backend: str, standard_psnrs, bicubic_psnrs, explain=None) -> Verdict:
    gain = mean(standard_psnrs) - mean(bicubic_psnrs)
    passed = math.isfinite(gain) and gain >= MIN_MEAN_GAIN_OVER_BICUBIC_DB
    reason = explain() if explain and not passed else None
    message = (f"mean/{backend}: standard PSNR gain over bicubic {gain:.3f} dB < {MIN_MEAN_GAIN_OVER_BICUBIC_DB} dB"
               + (f"\n{reason}" if reason else ""))
    return Verdict(backend, None, "mean_standard_gain_over_bicubic", passed, gain, MIN_MEAN_GAIN_OVER_BICUBIC_DB,
                   f">= {MIN_MEAN_GAIN_OVER_BICUBIC_DB} dB", reason, message)


def quantized_drop_check(backend: str, measured: float, reference: float, check: str = "standard_psnr_drop_vs_fp32",
                         scope: str = "mean", what: str = "standard PSNR") -> Verdict:
    """A quantized backend's mean PSNR may fall at most ``MAX_STANDARD_PSNR_DROP_DB`` below fp32 (crops, full size)."""
    drop = reference - measured
    passed = drop <= MAX_STANDARD_PSNR_DROP_DB
    message = (f"{scope}/{backend}: {what} {measured:.3f} dB is {drop:.3f} dB below fp32 "
               f"{reference:.3f} dB > {MAX_STANDARD_PSNR_DROP_DB} dB")
    return Verdict(backend, None, check, passed, measured, reference,
                   f"<= {MAX_STANDARD_PSNR_DROP_DB} dB below fp32", explanation=message)


def full_size_beats_bicubic_check(backend: str, dataset: str, summary: dict) -> Verdict:
    """On whole images the network must beat bicubic in both PSNR and SSIM (``score.fullsize.summary``)."""
    gain = summary["psnr"] - summary["bicubic_psnr"]
    passed = gain > 0 and summary["ssim"] > summary["bicubic_ssim"]
    message = (f"{dataset}/{backend}: full-size PSNR {summary['psnr']:.3f} dB / SSIM {summary['ssim']:.4f} do not "
               f"both beat bicubic {summary['bicubic_psnr']:.3f} dB / {summary['bicubic_ssim']:.4f}")
    return Verdict(backend, None, "full_size_beats_bicubic", passed, gain, 0.0, "> bicubic in PSNR and SSIM",
                   explanation=message)


def failure_explainer(accuracy, backend: str, image: str | None = None):
    """Issue 14: the porting mistake that reproduces this backend's outputs, for its failure message."""
    if accuracy.diagnoses is None:
        return None
    return lambda: accuracy.diagnoses.message(backend, dumps_from_guide_outputs(accuracy.outcome(backend).guide), image)
