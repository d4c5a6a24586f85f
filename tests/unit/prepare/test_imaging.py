import numpy as np
import pytest
from PIL import Image

from srcnn_support.prepare.imaging import (
    center_crop,
    compose_sr_rgb,
    crop_to_scale,
    degrade,
    guide_crop,
    network_input,
    resize_shorter_side,
    rgb_to_ycbcr_reference,
    ycbcr_to_rgb_reference,
)


def _image(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def test_resize_follows_torchvision_semantics_for_woman():
    resized = resize_shorter_side(_image(228, 344))
    assert resized.size == (256, 386)  # int(256 * 344 / 228) = 386


def test_shorter_side_already_256_is_untouched():
    image = _image(256, 300)
    assert resize_shorter_side(image) is image


def test_center_crop_uses_python_round():
    image = _image(256, 386)
    cropped = center_crop(image)
    assert np.array_equal(np.asarray(cropped), np.asarray(image)[65:321])  # rows 65..320


def test_guide_crop_upscales_small_images():
    assert guide_crop(_image(100, 120)).size == (256, 256)


def test_degrade_is_pil_bicubic_down_then_up():
    image = _image(256, 256)
    expected = image.resize((128, 128), Image.BICUBIC).resize((256, 256), Image.BICUBIC)
    assert np.array_equal(np.asarray(degrade(image)), np.asarray(expected))
    with pytest.raises(ValueError):
        degrade(_image(255, 256))


def test_crop_to_scale_is_from_top_left():
    image = _image(229, 345)
    assert crop_to_scale(image).size == (228, 344)
    assert np.array_equal(np.asarray(crop_to_scale(image)), np.asarray(image)[:344, :228])


def test_reference_luma_uses_64_738():
    rgb = np.array([[[100, 150, 200]]], np.uint8)
    expected = (16 + (64.738 * 100 + 129.057 * 150 + 25.064 * 200) / 256) / 255
    assert network_input(rgb)[0, 0] == pytest.approx(expected, rel=1e-6)
    assert network_input(rgb).dtype == np.float32


def test_ycbcr_round_trip_is_close_but_not_exact():
    # The reference's forward luma uses 64.738 where its inverse assumes 65.738: about 1 level of drift.
    rgb = np.asarray(_image(16, 16), dtype=np.float32)
    error = np.abs(ycbcr_to_rgb_reference(rgb_to_ycbcr_reference(rgb)) - rgb).max()
    assert 0.1 < error < 2.0


def test_compose_sr_rgb_takes_chroma_from_bicubic_and_rounds():
    bicubic = np.asarray(_image(8, 8, seed=3))
    y = rgb_to_ycbcr_reference(bicubic)[..., 0] / 255.0
    out = compose_sr_rgb(y, bicubic)
    assert out.dtype == np.uint8
    assert np.abs(out.astype(int) - bicubic.astype(int)).max() <= 2  # same Y and chroma: same image up to the quirk
    assert compose_sr_rgb(np.full((8, 8), 2.0), bicubic).max() <= 255  # clamped, never wraps
