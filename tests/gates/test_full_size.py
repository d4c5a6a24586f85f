"""The standard SR benchmark on full-size images (each cropped to a multiple of the scale):
PSNR/SSIM on MATLAB Y with a 2-pixel shave, bicubic baseline, the SRCNN paper's figures beside it."""
from __future__ import annotations

from dataclasses import asdict

import pytest

from srcnn_support.backends.registry import FULL_SIZE_BACKENDS, QUANTIZED_BACKENDS
from srcnn_support.errors import MissingRuntimeError
from srcnn_support.gate.accuracy_rules import full_size_beats_bicubic_check, quantized_drop_check
from srcnn_support.score.accuracy import broken_backend_reason
from srcnn_support.score.fullsize import PAPER_X2_PSNR, summary

pytestmark = pytest.mark.accuracy


def full_size_summary(accuracy, gate, recorder, backend):
    try:
        scores = accuracy.full_size(backend, list(gate.dataset.files))
    except MissingRuntimeError as exc:
        pytest.skip(str(exc))
    except Exception as exc:  # this backend's fault fails its own tests only
        reason = broken_backend_reason(backend, exc)
        recorder.add_verdict(backend, None, "runtime", False, reason=reason)
        pytest.fail(reason, pytrace=False)
    result = summary(scores)
    recorder.meta.full_size[backend] = {
        "dataset": gate.dataset.label, **result, "paper": PAPER_X2_PSNR.get(gate.dataset.label),
        "per_image": [asdict(s) for s in scores]}
    return result


@pytest.mark.parametrize("backend", FULL_SIZE_BACKENDS)
def test_full_size_beats_bicubic(accuracy, gate, recorder, backend):
    verdict = full_size_beats_bicubic_check(backend, gate.dataset.label,
                                            full_size_summary(accuracy, gate, recorder, backend))
    recorder.record(verdict)
    assert verdict, verdict.explanation


@pytest.mark.parametrize("backend", QUANTIZED_BACKENDS)
def test_full_size_quantized_within_0_1_db_of_fp32(accuracy, gate, recorder, backend):
    fp32 = full_size_summary(accuracy, gate, recorder, "pytorch")
    result = full_size_summary(accuracy, gate, recorder, backend)
    verdict = quantized_drop_check(backend, result["psnr"], fp32["psnr"], "full_size_psnr_drop_vs_fp32",
                                   gate.dataset.label, "full-size PSNR")
    recorder.record(verdict)
    assert verdict, verdict.explanation
