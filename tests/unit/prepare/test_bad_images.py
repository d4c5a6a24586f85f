"""Every kind of image a user may point the suite at: decoded correctly, or refused in one clear line."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from srcnn_support.errors import SrcnnGateError
from srcnn_support.prepare.imaging import MAX_PIXELS, list_images, load_rgb
from srcnn_support.prepare.prep import prepare_image


def _rgb(height=40, width=50, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _save(path: Path, image: Image.Image, **kwargs) -> Path:
    image.save(path, **kwargs)
    return path


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "CMYK", "LA", "1"])
def test_other_modes_decode_to_rgb(tmp_path, mode):
    image = Image.fromarray(_rgb()).convert(mode)
    path = _save(tmp_path / ("x.jpg" if mode == "CMYK" else "x.png"), image)
    decoded = load_rgb(path)
    assert decoded.mode == "RGB" and decoded.size == (50, 40)


def test_grayscale_keeps_its_values(tmp_path):
    gray = _rgb()[..., 0]
    decoded = np.asarray(load_rgb(_save(tmp_path / "g.png", Image.fromarray(gray))))
    assert np.array_equal(decoded[..., 0], gray) and np.array_equal(decoded[..., 2], gray)


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path):
    wide = np.array([[0, 32768, 65535]], dtype=np.uint16)
    path = _save(tmp_path / "deep.png", Image.fromarray(wide))
    assert Image.open(path).mode.startswith("I")
    assert np.asarray(load_rgb(path))[0, :, 0].tolist() == [0, 128, 255]


def test_palette_with_transparency(tmp_path):
    image = Image.fromarray(_rgb()).convert("P")
    image.info["transparency"] = 0
    assert load_rgb(_save(tmp_path / "p.png", image, transparency=0)).mode == "RGB"


def test_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("just text")
    with pytest.raises(SrcnnGateError, match=r"notes\.png: not an image \(format not recognised\)"):
        load_rgb(path)


def test_zero_bytes(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(SrcnnGateError, match=r"empty\.png: empty file \(0 bytes\)"):
        load_rgb(path)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_files(tmp_path, fmt):
    buffer = io.BytesIO()
    Image.fromarray(_rgb(200, 200)).save(buffer, format=fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(SrcnnGateError, match=rf"cut\.{fmt.lower()}: truncated or corrupt image"):
        load_rgb(path)


def _png_header_only(path: Path, width: int, height: int) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )
    return path


@pytest.mark.parametrize("side", [9000, 20000])
def test_huge_image_is_refused_before_decoding(tmp_path, side):
    assert side * side > MAX_PIXELS
    path = _png_header_only(tmp_path / "huge.png", side, side)
    with pytest.raises(SrcnnGateError, match=r"huge\.png: (image is \d+x\d+, larger than|image too large)"):
        load_rgb(path)


def test_small_image_is_upscaled_as_the_spec_says(tmp_path):
    path = _save(tmp_path / "tiny.png", Image.fromarray(_rgb(60, 90)))
    prepared = prepare_image(path, tmp_path / "out")
    assert prepared.ground_truth.shape == (256, 256, 3)
    assert (tmp_path / "out" / "bin" / "tiny.bin").stat().st_size == 262_144


@pytest.mark.parametrize("name", ["with space.png", "ünïcødé.png", "-leading-dash.png", "dots.in.name.png"])
def test_odd_file_names(tmp_path, name):
    path = _save(tmp_path / name, Image.fromarray(_rgb(260, 270)))
    prepared = prepare_image(path, tmp_path / "out")
    assert prepared.name == Path(name).stem
    assert (tmp_path / "out" / "bin" / f"{Path(name).stem}.bin").exists()


def test_empty_and_missing_dataset_directories(tmp_path):
    with pytest.raises(SrcnnGateError, match="dataset directory not found"):
        list_images(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no images here")
    with pytest.raises(SrcnnGateError, match=r"empty: no images found"):
        list_images(tmp_path / "empty")
    with pytest.raises(SrcnnGateError, match="is not a directory"):
        list_images(tmp_path / "empty" / "readme.txt")


def test_directory_instead_of_image(tmp_path):
    with pytest.raises(SrcnnGateError, match="is a directory"):
        load_rgb(tmp_path)
