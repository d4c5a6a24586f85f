"""Image decoding and the colour/resize operations of the guide, exactly as the spec states them.

Every function takes and returns plain arrays or PIL images; nothing here touches the disk except
``load_rgb``, which turns every decoding problem into a one-line :class:`SrcnnGateError`.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from srcnn_support.errors import SrcnnGateError

CROP_SIZE = 256
SCALE = 2
# Refuse anything larger instead of letting one image take the machine's memory.
MAX_PIXELS = 64 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".bmp", ".jpg", ".jpeg", ".tif", ".tiff", ".ppm", ".webp")


def load_rgb(path: str | Path) -> Image.Image:
    """Decode an image file to 8-bit RGB (grayscale, palette, RGBA, CMYK and 16-bit included)."""
    path = Path(path)
    if not path.exists():
        raise SrcnnGateError(path, "image file not found")
    if path.is_dir():
        raise SrcnnGateError(path, "is a directory, expected an image file")
    if path.stat().st_size == 0:
        raise SrcnnGateError(path, "empty file (0 bytes), expected an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise SrcnnGateError(
                        path, f"image is {width}x{height}, larger than the {MAX_PIXELS} pixel limit"
                    )
                image.load()
                return _to_rgb8(image)
    except SrcnnGateError:
        raise
    except UnidentifiedImageError:
        raise SrcnnGateError(path, "not an image (format not recognised)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SrcnnGateError(path, f"image too large to decode safely ({exc})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise SrcnnGateError(path, f"truncated or corrupt image ({exc})") from None


def _to_rgb8(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        wide = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or wide.max() > 255 else 255.0
        gray = np.clip(np.rint(wide * 255.0 / top), 0, 255).astype(np.uint8)
        return Image.fromarray(gray).convert("RGB")
    if image.mode == "F":
        gray = np.clip(np.rint(np.asarray(image, dtype=np.float64)), 0, 255).astype(np.uint8)
        return Image.fromarray(gray).convert("RGB")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    return image.convert("RGB")


# Files a folder of pictures often holds beside them: reported once, never read.
MACOS_COMPANION_PREFIX = "._"  # AppleDouble resource forks copied from a Mac: ._baby.png is not an image


@dataclass(frozen=True)
class ImageFolder:
    directory: Path
    files: tuple[Path, ...]
    skipped: tuple[str, ...]


def scan_images(directory: str | Path) -> ImageFolder:
    """The folder's image files in name order and the names passed over (not images by name, subfolders)."""
    directory = Path(directory)
    if not directory.exists():
        raise SrcnnGateError(directory, "dataset directory not found")
    if not directory.is_dir():
        raise SrcnnGateError(directory, "is not a directory")
    files, skipped = [], []
    for path in sorted(directory.iterdir()):
        is_image = (path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
                    and not path.name.startswith(MACOS_COMPANION_PREFIX))
        (files if is_image else skipped).append(path if is_image else path.name + ("/" if path.is_dir() else ""))
    if not files:
        raise SrcnnGateError(directory, f"no images found (looked for {', '.join(IMAGE_SUFFIXES)}, any case)")
    stems: dict[str, list[str]] = {}
    for path in files:
        stems.setdefault(path.stem, []).append(path.name)
    clashing = next((names for names in stems.values() if len(names) > 1), None)
    if clashing:
        raise SrcnnGateError(directory, f"images {' and '.join(clashing)} share the name '{Path(clashing[0]).stem}'; "
                                        "results are keyed by name, rename one")
    return ImageFolder(directory, tuple(files), tuple(skipped))


def list_images(directory: str | Path) -> list[Path]:
    """The dataset's image files in name order; an empty or missing directory is an error."""
    return list(scan_images(directory).files)


def resize_shorter_side(image: Image.Image, size: int = CROP_SIZE) -> Image.Image:
    """torchvision ``Resize(size, BICUBIC)`` on a PIL image: shorter side -> size, long side truncated."""
    width, height = image.size
    if min(width, height) == size:
        return image
    if width <= height:
        new_width, new_height = size, int(size * height / width)
    else:
        new_width, new_height = int(size * width / height), size
    return image.resize((new_width, new_height), Image.BICUBIC)


def center_crop(image: Image.Image, size: int = CROP_SIZE) -> Image.Image:
    width, height = image.size
    top = int(round((height - size) / 2.0))
    left = int(round((width - size) / 2.0))
    return image.crop((left, top, left + size, top + size))


def guide_crop(image: Image.Image, size: int = CROP_SIZE) -> Image.Image:
    """Step 2 of the spec: the ``<name>_256.png`` ground truth."""
    return center_crop(resize_shorter_side(image, size), size)


def crop_to_scale(image: Image.Image, scale: int = SCALE) -> Image.Image:
    """Full-size protocol: crop from the top-left to a multiple of the scale."""
    width, height = image.size
    return image.crop((0, 0, width - width % scale, height - height % scale))


def degrade(image: Image.Image, scale: int = SCALE) -> Image.Image:
    """PIL bicubic down by ``scale`` then back up: the network's (and bicubic baseline's) input."""
    width, height = image.size
    if width % scale or height % scale:
        raise ValueError(f"image size {width}x{height} is not a multiple of the scale {scale}")
    small = image.resize((width // scale, height // scale), Image.BICUBIC)
    return small.resize((width, height), Image.BICUBIC)


def rgb_to_ycbcr_reference(rgb: np.ndarray) -> np.ndarray:
    """The reference code's YCbCr (note 64.738, not MATLAB's 65.738), float32 in 0..255 units."""
    img = np.asarray(rgb).astype(np.float32)
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    y = 16.0 + (64.738 * r + 129.057 * g + 25.064 * b) / 256.0
    cb = 128.0 + (-37.945 * r - 74.494 * g + 112.439 * b) / 256.0
    cr = 128.0 + (112.439 * r - 94.154 * g - 18.285 * b) / 256.0
    return np.stack([y, cb, cr], axis=-1).astype(np.float32)


def ycbcr_to_rgb_reference(ycbcr: np.ndarray) -> np.ndarray:
    img = np.asarray(ycbcr).astype(np.float32)
    y, cb, cr = img[..., 0], img[..., 1], img[..., 2]
    r = 298.082 * y / 256.0 + 408.583 * cr / 256.0 - 222.921
    g = 298.082 * y / 256.0 - 100.291 * cb / 256.0 - 208.120 * cr / 256.0 + 135.576
    b = 298.082 * y / 256.0 + 516.412 * cb / 256.0 - 276.836
    return np.stack([r, g, b], axis=-1).astype(np.float32)


# Per-pixel colour work runs in bands of rows this many pixels large: on a 24 MP photo the whole-image
# float temporaries alone took 1.3 GB; per band they take a few MB, and every pixel's value is unchanged.
BAND_PIXELS = 1 << 20


def row_bands(height: int, width: int, margin: int = 0) -> list[tuple[int, int]]:
    """[start, stop) row ranges of at most BAND_PIXELS pixels (one row at least), over margin .. height - margin."""
    rows = max(1, BAND_PIXELS // max(width, 1))
    return [(top, min(top + rows, height - margin)) for top in range(margin, height - margin, rows)]


def network_input(rgb: np.ndarray | Image.Image) -> np.ndarray:
    """Y of the reference code, divided by 255: what the network sees (float32, H x W)."""
    rgb = np.asarray(rgb)
    plane = np.empty(rgb.shape[:2], np.float32)
    for top, stop in row_bands(*rgb.shape[:2]):
        plane[top:stop] = rgb_to_ycbcr_reference(rgb[top:stop])[..., 0] / 255.0
    return plane


def compose_sr_rgb(y_out: np.ndarray, bicubic_rgb: np.ndarray) -> np.ndarray:
    """The scored super-resolved image: clamped network Y with the bicubic image's Cb/Cr, rounded to uint8.

    The guide's own result images truncate and take the crop's Cb/Cr instead (``score.postprocess``);
    why both exist: docs/decisions/0005-guide-images-truncate-metric-rounds.md.
    """
    bicubic_rgb, y_out = np.asarray(bicubic_rgb), np.asarray(y_out)
    composed = np.empty(bicubic_rgb.shape, np.uint8)
    for top, stop in row_bands(*bicubic_rgb.shape[:2]):
        ycbcr = rgb_to_ycbcr_reference(bicubic_rgb[top:stop])
        ycbcr[..., 0] = np.clip(y_out[top:stop].astype(np.float32), 0.0, 1.0) * 255.0
        composed[top:stop] = np.rint(np.clip(ycbcr_to_rgb_reference(ycbcr), 0.0, 255.0))
    return composed


def matlab_y(rgb: np.ndarray) -> np.ndarray:
    """MATLAB ``rgb2ycbcr`` luma (BT.601), float64 in 16..235 units."""
    img = np.asarray(rgb).astype(np.float64)
    return 16.0 + (65.481 * img[..., 0] + 128.553 * img[..., 1] + 24.966 * img[..., 2]) / 255.0


def psnr(a: np.ndarray, b: np.ndarray, peak: float) -> float:
    """PSNR in dB, computed in float64; identical inputs give ``inf``; NaN gives NaN, Inf gives ``-inf``."""
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a64.shape != b64.shape:
        raise ValueError(f"shape mismatch {a64.shape} vs {b64.shape}")
    return psnr_from_mse(float(np.mean((a64 - b64) ** 2)), peak)


def psnr_from_mse(mse: float, peak: float) -> float:
    if math.isnan(mse):
        return math.nan
    if math.isinf(mse):
        return -math.inf
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(peak * peak / mse)
