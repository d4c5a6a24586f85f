"""PSNR and SSIM, as the spec defines them.

Guide metric: ``10 log10(1 / MSE)`` on Y/255 of the bicubic input vs the network output.
Standard metric: PSNR/SSIM on MATLAB Y of uint8 images with a ``scale``-pixel border shave;
SSIM is scikit-image's ``structural_similarity`` with Wang et al.'s Gaussian settings.
The PSNR formula itself lives in ``prepare.imaging`` so that training (``model/train.py``) can use it too.
"""
from __future__ import annotations

import numpy as np
from skimage.metrics import structural_similarity

from srcnn_support.prepare.imaging import matlab_y, psnr


def guide_psnr(bicubic_y: np.ndarray, output_y: np.ndarray, clamp: bool) -> float:
    """The published table's metric; ``clamp=True`` is the reference script, False the post-processing."""
    out = np.asarray(output_y, dtype=np.float32)
    if clamp:
        out = np.clip(out, 0.0, 1.0)
    return psnr(bicubic_y, out, peak=1.0)


def shave(plane: np.ndarray, border: int) -> np.ndarray:
    return plane[border:-border, border:-border] if border > 0 else plane


def standard_psnr(image: np.ndarray, ground_truth: np.ndarray, border: int) -> float:
    """PSNR on MATLAB Y of two uint8 RGB images (BasicSR ``calculate_psnr(test_y_channel=True)``)."""
    return psnr(shave(matlab_y(image), border), shave(matlab_y(ground_truth), border), peak=255.0)


def standard_ssim(image: np.ndarray, ground_truth: np.ndarray, border: int) -> float:
    """SSIM (Wang et al. 2004: Gaussian 11x11, sigma 1.5, K1 0.01, K2 0.03, L 255) on MATLAB Y."""
    a = shave(matlab_y(image), border)
    b = shave(matlab_y(ground_truth), border)
    return float(
        structural_similarity(
            a, b, data_range=255.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
            K1=0.01, K2=0.03,
        )
    )
