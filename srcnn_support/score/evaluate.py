"""Running a backend over prepared images and scoring it with both metrics of the spec.

Execution (``run_images``) and scoring (``score_image``) are separate: the same outputs are scored
against the live reference, the published table and the bicubic baseline without re-running.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable

import numpy as np

from srcnn_support.backends.base import Runner
from srcnn_support.prepare.guide_files import Layout
from srcnn_support.prepare.imaging import SCALE, compose_sr_rgb
from srcnn_support.prepare.prep import PreparedImage
from srcnn_support.score.metrics import guide_psnr, standard_psnr, standard_ssim


def run_images(runner: Runner, images: list[PreparedImage], layout: Layout, batch_size: int = 1,
               fixed_batch: bool = False) -> dict[str, np.ndarray]:
    """Outputs in natural orientation; ``layout=GUIDE`` feeds the transposed planes as the guide's tool does."""
    outputs: dict[str, np.ndarray] = {}
    for start in range(0, len(images), batch_size):
        chunk = images[start : start + batch_size]
        planes = [img.input_in_layout(layout) for img in chunk]
        if fixed_batch and len(planes) < batch_size:
            planes += [planes[-1]] * (batch_size - len(planes))  # fixed-batch models need a full batch
        result = runner.infer(np.stack(planes)[:, None])
        for img, plane in zip(chunk, result[:, 0], strict=False):
            outputs[img.name] = np.ascontiguousarray(layout.from_file_order(plane))
    return outputs


@dataclass(frozen=True)
class ImageScore:
    image: str
    guide_psnr_guide_layout: float  # the guide's post-processing: transposed input, unclamped
    guide_psnr_guide_layout_clamped: float
    guide_psnr_natural: float  # unclamped, natural layout
    guide_psnr_natural_clamped: float  # the reference script's value
    standard_psnr: float
    standard_ssim: float
    bicubic_psnr: float
    bicubic_ssim: float
    finite: bool

    @property
    def guide_layout_effect(self) -> float:
        """How far the guide's way (transposed ``.bin``, unclamped) moves the guide PSNR from the reference script's
        (natural, clamped), relative. A property of the weights and the image, the same for every correct port:
        SRCNN's kernels are not symmetric (docs/decisions/0007-judge-ports-on-the-guide-layout.md)."""
        return (self.guide_psnr_guide_layout - self.guide_psnr_natural_clamped) / self.guide_psnr_natural_clamped

    def as_dict(self) -> dict:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()}


def score_image(image: PreparedImage, natural_out: np.ndarray, guide_out: np.ndarray,
                border: int = SCALE) -> ImageScore:
    finite = bool(np.isfinite(natural_out).all() and np.isfinite(guide_out).all())
    y_in = image.network_input  # the bicubic image's Y: what the guide metric compares against
    sr = compose_sr_rgb(np.nan_to_num(natural_out, nan=0.0), image.bicubic)
    return ImageScore(
        image=image.name,
        guide_psnr_guide_layout=guide_psnr(y_in, guide_out, clamp=False),
        guide_psnr_guide_layout_clamped=guide_psnr(y_in, guide_out, clamp=True),
        guide_psnr_natural=guide_psnr(y_in, natural_out, clamp=False),
        guide_psnr_natural_clamped=guide_psnr(y_in, natural_out, clamp=True),
        standard_psnr=standard_psnr(sr, image.ground_truth, border) if finite else math.nan,
        standard_ssim=standard_ssim(sr, image.ground_truth, border) if finite else math.nan,
        bicubic_psnr=standard_psnr(image.bicubic, image.ground_truth, border),
        bicubic_ssim=standard_ssim(image.bicubic, image.ground_truth, border),
        finite=finite,
    )


def max_abs_difference(a: np.ndarray, b: np.ndarray) -> float:
    difference = np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))
    return float(difference.max()) if np.isfinite(difference).all() else math.inf


def relative_deviation(value: float, reference: float) -> float:
    """|value - reference| / reference; a NaN value deviates infinitely (never passes)."""
    if not math.isfinite(value):
        return math.inf
    return abs(value - reference) / abs(reference)


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return float(np.mean(values)) if values else math.nan
