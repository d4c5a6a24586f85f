"""The usual SR benchmark protocol on full-size images (spec "Full-size protocol")."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from srcnn_support.backends.base import Runner
from srcnn_support.backends.tiling import tiled_inference
from srcnn_support.errors import SrcnnGateError
from srcnn_support.prepare.imaging import (
    SCALE,
    compose_sr_rgb,
    crop_to_scale,
    degrade,
    list_images,
    load_rgb,
    network_input,
)
from srcnn_support.score.metrics import standard_psnr, standard_ssim

# Whole-image inference holds 64 + 32 float32 activation planes: 2 MP is about 0.8 GB, a 24 MP photo 9 GB. Larger
# images run as exact-halo tiles (backends/tiling.py: equal to whole-image inference), one tile at a time.
WHOLE_IMAGE_PIXELS = 2 * 1024 * 1024
TILE = 1024


def bounded_inference(runner: Runner, plane: np.ndarray) -> np.ndarray:
    if plane.size <= WHOLE_IMAGE_PIXELS:
        return runner.infer(plane[None, None])[0, 0]
    return tiled_inference(runner.infer, plane, TILE, batch_size=1)


@dataclass(frozen=True)
class FullSizeScore:
    image: str
    width: int
    height: int
    psnr: float
    ssim: float
    bicubic_psnr: float
    bicubic_ssim: float


@dataclass(frozen=True)
class FullSizeImage:
    """What every backend's pass over one image shares: the ground truth, the bicubic input and its own scores."""
    name: str
    truth: np.ndarray
    bicubic: np.ndarray
    plane: np.ndarray
    bicubic_psnr: float
    bicubic_ssim: float

    @property
    def nbytes(self) -> int:
        return self.truth.nbytes + self.bicubic.nbytes + self.plane.nbytes


def full_size_image(path: Path, scale: int = SCALE, with_ssim: bool = True) -> FullSizeImage:
    hr = crop_to_scale(load_rgb(path), scale)
    truth, bicubic = np.asarray(hr), np.asarray(degrade(hr, scale))
    return FullSizeImage(path.stem, truth, bicubic, network_input(bicubic), standard_psnr(bicubic, truth, scale),
                         standard_ssim(bicubic, truth, scale) if with_ssim else float("nan"))


class FullSizeImages:
    """A dataset's images prepared once for all the backends of a session, kept while they fit in ``budget_bytes``.

    Preparing an image (decode, bicubic down and up, the bicubic baseline's PSNR and SSIM) took a third of a
    backend's full-size pass over BSD68 (about 105 MB kept); a folder of large photos past the budget is prepared
    again for each backend rather than held in memory.
    """

    def __init__(self, budget_bytes: int = 1 << 30) -> None:
        self.budget_bytes = budget_bytes
        self._kept: dict[tuple, FullSizeImage] = {}
        self._bytes = 0

    def get(self, path: Path, scale: int = SCALE, with_ssim: bool = True) -> FullSizeImage:
        key = (Path(path), scale, with_ssim)
        if key in self._kept:
            return self._kept[key]
        image = full_size_image(Path(path), scale, with_ssim)
        if self._bytes + image.nbytes <= self.budget_bytes:
            self._kept[key] = image
            self._bytes += image.nbytes
        return image


def evaluate_full_size(runner: Runner, dataset_dir: Path, scale: int = SCALE, with_ssim: bool = True,
                       infer=None) -> list[FullSizeScore]:
    return evaluate_files(runner, list_images(dataset_dir), scale, with_ssim, infer)


def evaluate_files(runner: Runner, files: list[Path], scale: int = SCALE, with_ssim: bool = True,
                   infer=None, images: FullSizeImages | None = None) -> list[FullSizeScore]:
    """``infer`` (plane -> plane) overrides whole-image inference, e.g. with tiled inference; ``images`` shares the
    prepared images between backends."""
    images = images or FullSizeImages(budget_bytes=0)
    scores = []
    for path in files:
        image = images.get(path, scale, with_ssim)
        height, width = image.truth.shape[:2]
        try:
            out = infer(image.plane) if infer else bounded_inference(runner, image.plane)
        except MemoryError as exc:
            raise SrcnnGateError(path, f"full-size inference of this {width}x{height} image ran out of "
                                       f"memory ({exc or 'MemoryError'})") from None
        sr = compose_sr_rgb(out, image.bicubic)
        scores.append(FullSizeScore(
            image=path.stem, width=width, height=height,
            psnr=standard_psnr(sr, image.truth, scale),
            ssim=standard_ssim(sr, image.truth, scale) if with_ssim else float("nan"),
            bicubic_psnr=image.bicubic_psnr, bicubic_ssim=image.bicubic_ssim,
        ))
    return scores


# The SRCNN paper (Dong et al., TPAMI 2016, 9-5-5, x2), PSNR in dB: (SRCNN, bicubic).
PAPER_X2_PSNR = {"Set5": (36.66, 33.66), "Set14": (32.45, 30.23)}


def summary(scores: list[FullSizeScore]) -> dict:
    keys = ("psnr", "ssim", "bicubic_psnr", "bicubic_ssim")
    return {k: float(np.mean([getattr(s, k) for s in scores])) for k in keys} | {"images": len(scores)}
