"""Preprocessing of one dataset image into everything the gates consume (spec steps 1-6)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from srcnn_support.atomic import atomic_write_via
from srcnn_support.prepare.guide_files import Layout, read_bin, write_bin
from srcnn_support.prepare.imaging import CROP_SIZE, SCALE, degrade, guide_crop, load_rgb, network_input

PNG_DIR, BIN_DIR, NATURAL_BIN_DIR, BICUBIC_DIR = "png", "bin", "bin_natural", "bicubic"
PREP_CODE_MODULES = ("prepare/imaging", "prepare/guide_files", "prepare/prep")


@dataclass(frozen=True)
class PreparedImage:
    name: str
    ground_truth: np.ndarray  # uint8 RGB 256x256, the saved <name>_256.png
    bicubic: np.ndarray  # uint8 RGB, degraded (down/up) ground truth
    network_input: np.ndarray  # float32 Y/255, natural layout

    def input_in_layout(self, layout: Layout) -> np.ndarray:
        return np.ascontiguousarray(layout.to_file_order(self.network_input))


def save_png(path: Path, rgb: np.ndarray) -> None:
    atomic_write_via(path, lambda tmp: Image.fromarray(rgb).save(tmp, format="PNG"))


def prepare_image(source: Path, out_dir: Path, size: int = CROP_SIZE, scale: int = SCALE) -> PreparedImage:
    """Write ``png/<name>_256.png``, ``bin/<name>.bin`` (guide layout), the natural-layout bin and the bicubic PNG."""
    name = source.stem
    cropped = guide_crop(load_rgb(source), size)
    bicubic = degrade(cropped, scale)
    prepared = PreparedImage(name, np.asarray(cropped), np.asarray(bicubic), network_input(bicubic))
    save_png(out_dir / PNG_DIR / f"{name}_{size}.png", prepared.ground_truth)
    save_png(out_dir / BICUBIC_DIR / f"{name}_bicubic.png", prepared.bicubic)
    write_bin(out_dir / BIN_DIR / f"{name}.bin", prepared.network_input, Layout.GUIDE)
    write_bin(out_dir / NATURAL_BIN_DIR / f"{name}.bin", prepared.network_input, Layout.NATURAL)
    return prepared


def load_prepared(prep_dir: Path, name: str, size: int = CROP_SIZE) -> PreparedImage:
    """Read back what :func:`prepare_image` wrote (the guide-layout bin is the source of truth)."""
    ground_truth = np.asarray(load_rgb(prep_dir / PNG_DIR / f"{name}_{size}.png"))
    bicubic = np.asarray(load_rgb(prep_dir / BICUBIC_DIR / f"{name}_bicubic.png"))
    y = read_bin(prep_dir / BIN_DIR / f"{name}.bin", size, size, Layout.GUIDE)
    return PreparedImage(name, ground_truth, bicubic, y)
