"""PSNR and SSIM, as the spec defines them.

Guide metric: ``10 log10(1 / MSE)`` on Y/255 of the bicubic input vs the network output.
Standard metric: PSNR/SSIM on MATLAB Y of uint8 images with a ``scale``-pixel border shave;
SSIM is scikit-image's ``structural_similarity`` with Wang et al.'s Gaussian settings.
The PSNR formula itself lives in ``prepare.imaging`` so that training (``model/train.py``) can use it too.
"""
from __future__ import annotations

import math

import numpy as np
from skimage.metrics import structural_similarity

from srcnn_support.prepare.imaging import matlab_y, psnr, psnr_from_mse, row_bands


def guide_psnr(bicubic_y: np.ndarray, output_y: np.ndarray, clamp: bool) -> float:
    """The published table's metric; ``clamp=True`` is the reference script, False the post-processing."""
    out = np.asarray(output_y, dtype=np.float32)
    if clamp:
        out = np.clip(out, 0.0, 1.0)
    return psnr(bicubic_y, out, peak=1.0)


def shave(plane: np.ndarray, border: int) -> np.ndarray:
    return plane[border:-border, border:-border] if border > 0 else plane


def _shaved_y_bands(image: np.ndarray, ground_truth: np.ndarray, border: int, frame: int = 0):
    """Per band of the shaved images: (rows of the band to keep, Y of image, Y of ground truth).

    Bands cover rows ``frame`` .. height - ``frame`` and carry ``frame`` rows of real neighbours each side, so a
    filter of that radius sees on each kept row what it sees on the whole image."""
    image, ground_truth = shave(np.asarray(image), border), shave(np.asarray(ground_truth), border)
    if image.shape != ground_truth.shape:
        raise ValueError(f"shape mismatch {image.shape} vs {ground_truth.shape}")
    for top, stop in row_bands(*image.shape[:2], margin=frame):
        rows = slice(top - frame, stop + frame)
        yield slice(frame, frame + stop - top), matlab_y(image[rows]), matlab_y(ground_truth[rows])


def standard_psnr(image: np.ndarray, ground_truth: np.ndarray, border: int) -> float:
    """PSNR on MATLAB Y of two uint8 RGB images (BasicSR ``calculate_psnr(test_y_channel=True)``).

    Summed band by band: a 24 MP photo needs no whole-image float64 planes."""
    squared_error, count = 0.0, 0
    for _, a, b in _shaved_y_bands(image, ground_truth, border):
        squared_error += float(np.sum((a - b) ** 2))
        count += a.size
    return psnr_from_mse(squared_error / count if count else math.nan, peak=255.0)


# scikit-image's Gaussian window: sigma 1.5 truncated at 3.5 sigma, radius int(3.5 * 1.5 + 0.5) = 5 pixels.
# It averages the SSIM map without a frame of that width, where the window would reach past the image.
SSIM_RADIUS = 5


def standard_ssim(image: np.ndarray, ground_truth: np.ndarray, border: int) -> float:
    """SSIM (Wang et al. 2004: Gaussian 11x11, sigma 1.5, K1 0.01, K2 0.03, L 255) on MATLAB Y.

    scikit-image's SSIM map, band by band: each kept row equals the whole-image map's row, and the mean is
    over the region scikit-image averages (the map less its SSIM_RADIUS frame)."""
    total, count = 0.0, 0
    for kept_rows, a, b in _shaved_y_bands(image, ground_truth, border, SSIM_RADIUS):
        _, ssim_map = _ssim(a, b, full=True)
        kept = ssim_map[kept_rows, SSIM_RADIUS:-SSIM_RADIUS]
        total += float(np.sum(kept, dtype=np.float64))
        count += kept.size
    if not count:  # too small for the window: scikit-image's own error says so
        return float(_ssim(matlab_y(shave(image, border)), matlab_y(shave(ground_truth, border))))
    return total / count


def _ssim(a: np.ndarray, b: np.ndarray, full: bool = False):
    return structural_similarity(a, b, data_range=255.0, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False, K1=0.01, K2=0.03, full=full)
