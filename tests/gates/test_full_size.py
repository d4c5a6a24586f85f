"""The standard SR benchmark on full-size images (each cropped to a multiple of the scale):
PSNR/SSIM on MATLAB Y with a 2-pixel shave, bicubic baseline, the SRCNN paper's figures beside it.

The fp32 figures come from the fastest exact backend this machine has (``registry.fastest_exact_backend``), not
from PyTorch eager: they are equal within the exact rule (1e-4 max-abs, checked here on the dataset's largest
image and on every crop by the accuracy gate) and the protocol takes about half the time (decision 0012).
"""
from __future__ import annotations

from dataclasses import asdict

import pytest

from srcnn_support.backends.registry import FULL_SIZE_BACKENDS, QUANTIZED_BACKENDS, fastest_exact_backend
from srcnn_support.errors import MissingRuntimeError
from srcnn_support.gate.accuracy_rules import (
    full_size_beats_bicubic_check,
    full_size_equals_pytorch_check,
    quantized_drop_check,
)
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
        "fp32_reference": fastest_exact_backend(), "per_image": [asdict(s) for s in scores]}
    return result


def set_aside_pytorch_when_faster_exact(backend: str) -> None:
    fastest = fastest_exact_backend()
    if backend == "pytorch" and fastest != "pytorch":
        pytest.skip(f"pytorch: the full-size fp32 figures come from {fastest}, the fastest exact backend here "
                    "(equal to PyTorch within 1e-4: test_full_size_fastest_exact_equals_pytorch)")


@pytest.mark.parametrize("backend", FULL_SIZE_BACKENDS)
def test_full_size_beats_bicubic(accuracy, gate, recorder, backend):
    set_aside_pytorch_when_faster_exact(backend)
    verdict = full_size_beats_bicubic_check(backend, gate.dataset.label,
                                            full_size_summary(accuracy, gate, recorder, backend))
    recorder.record(verdict)
    assert verdict, verdict.explanation


@pytest.mark.parametrize("backend", QUANTIZED_BACKENDS)
def test_full_size_quantized_within_0_1_db_of_fp32(accuracy, gate, recorder, backend):
    fp32 = full_size_summary(accuracy, gate, recorder, fastest_exact_backend())
    result = full_size_summary(accuracy, gate, recorder, backend)
    verdict = quantized_drop_check(backend, result["psnr"], fp32["psnr"], "full_size_psnr_drop_vs_fp32",
                                   gate.dataset.label, "full-size PSNR")
    recorder.record(verdict)
    assert verdict, verdict.explanation


def test_full_size_fastest_exact_equals_pytorch(accuracy, gate, recorder):
    """The full-size fp32 figures' backend against PyTorch on the dataset's largest image (the one most likely to
    take another path: tiles past 2 MPix), held to the exact rule."""
    fastest = fastest_exact_backend()
    if fastest == "pytorch":
        pytest.skip("pytorch is the fastest exact backend here: the full-size figures are PyTorch's own")
    largest = max(gate.dataset.files, key=pixel_count)
    try:
        outputs = {name: accuracy.full_size_output(name, largest) for name in (fastest, "pytorch")}
    except MissingRuntimeError as exc:
        pytest.skip(str(exc))
    verdict = recorder.record(full_size_equals_pytorch_check(fastest, gate.dataset.label, largest.stem,
                                                             outputs[fastest], outputs["pytorch"]))
    assert verdict, verdict.explanation


def pixel_count(path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return image.width * image.height
