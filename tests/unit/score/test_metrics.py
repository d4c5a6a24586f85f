import math

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from srcnn_support.prepare.imaging import matlab_y
from srcnn_support.score.metrics import guide_psnr, psnr, shave, standard_psnr, standard_ssim


def test_psnr_of_known_mse():
    a = np.zeros((4, 4))
    b = np.full((4, 4), 0.1)
    assert psnr(a, b, peak=1.0) == pytest.approx(20.0)  # 10 log10(1 / 0.01)


def test_psnr_identical_is_infinite_and_nan_propagates():
    a = np.ones((3, 3))
    assert psnr(a, a, peak=1.0) == math.inf
    b = a.copy()
    b[0, 0] = np.nan
    assert math.isnan(psnr(a, b, peak=1.0))


def test_guide_psnr_clamps_only_when_asked():
    y_in = np.full((8, 8), 0.5, np.float32)
    out = np.full((8, 8), 1.5, np.float32)
    assert guide_psnr(y_in, out, clamp=False) == pytest.approx(0.0, abs=1e-9)  # MSE 1
    assert guide_psnr(y_in, out, clamp=True) == pytest.approx(10 * math.log10(1 / 0.25))


def test_matlab_y_constants():
    rgb = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0]]], np.uint8)
    y = matlab_y(rgb)[0]
    assert y[0] == pytest.approx(16.0)
    assert y[1] == pytest.approx(235.0)
    assert y[2] == pytest.approx(16 + 65.481)


def test_standard_psnr_shaves_border_and_uses_y():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    damaged = truth.copy()
    damaged[:2, :, :] = 0  # only inside the shaved border
    assert standard_psnr(damaged, truth, border=2) == math.inf
    damaged[5, 5] = truth[5, 5] // 2
    expected_mse = (matlab_y(damaged)[5, 5] - matlab_y(truth)[5, 5]) ** 2 / (16 * 16)
    assert standard_psnr(damaged, truth, border=2) == pytest.approx(10 * math.log10(255**2 / expected_mse))


def _reference_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Wang et al. written out with scipy: Gaussian sigma 1.5 truncated to an 11x11 window, valid region."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    def f(x):
        return gaussian_filter(x, 1.5, truncate=5 / 1.5)  # radius 5: an 11x11 window

    mu_a, mu_b = f(a), f(b)
    var_a, var_b, cov = f(a * a) - mu_a**2, f(b * b) - mu_b**2, f(a * b) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(ssim_map[5:-5, 5:-5].mean())


def test_standard_ssim_matches_written_out_formula():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)
    noisy = np.clip(truth.astype(int) + rng.integers(-20, 21, truth.shape), 0, 255).astype(np.uint8)
    ours = standard_ssim(noisy, truth, border=2)
    reference = _reference_ssim(shave(matlab_y(noisy), 2), shave(matlab_y(truth), 2))
    assert ours == pytest.approx(reference, abs=1e-6)
    assert standard_ssim(truth, truth, border=2) == pytest.approx(1.0)


@pytest.mark.parametrize("height,width", [(30, 17), (401, 333), (1000, 90)])
def test_band_by_band_equals_whole_image(monkeypatch, height, width):
    """Colour conversion, PSNR and SSIM run in row bands to bound memory on big photos; forced to many
    small bands, each equals the whole-image formula (SSIM to float64 summation order)."""
    from skimage.metrics import structural_similarity

    from srcnn_support.prepare import imaging

    rng = np.random.default_rng(height)
    truth = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    image = np.clip(truth.astype(int) + rng.integers(-9, 10, truth.shape), 0, 255).astype(np.uint8)
    y_out = rng.random((height, width), dtype=np.float32) * 1.2 - 0.1
    whole_input = (imaging.rgb_to_ycbcr_reference(truth)[..., 0] / 255.0).astype(np.float32)
    ycbcr = imaging.rgb_to_ycbcr_reference(truth)
    ycbcr[..., 0] = np.clip(y_out, 0.0, 1.0) * 255.0
    whole_composed = np.rint(np.clip(imaging.ycbcr_to_rgb_reference(ycbcr), 0, 255)).astype(np.uint8)
    whole_psnr = psnr(shave(matlab_y(image), 2), shave(matlab_y(truth), 2), peak=255.0)
    whole_ssim = structural_similarity(shave(matlab_y(image), 2), shave(matlab_y(truth), 2), data_range=255.0,
                                       gaussian_weights=True, sigma=1.5, use_sample_covariance=False)

    monkeypatch.setattr(imaging, "BAND_PIXELS", 256)
    assert len(imaging.row_bands(height, width)) > 1
    assert np.array_equal(imaging.network_input(truth), whole_input)
    assert np.array_equal(imaging.compose_sr_rgb(y_out, truth), whole_composed)
    assert standard_psnr(image, truth, 2) == pytest.approx(whole_psnr, abs=1e-12)
    assert standard_ssim(image, truth, 2) == pytest.approx(whole_ssim, abs=1e-14)


def test_ssim_of_an_image_smaller_than_its_window_is_refused_as_before():
    tiny = np.zeros((12, 40, 3), np.uint8)
    with pytest.raises(ValueError, match="win_size exceeds image extent"):
        standard_ssim(tiny, tiny, 2)
