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


def evaluate_full_size(runner: Runner, dataset_dir: Path, scale: int = SCALE, with_ssim: bool = True,
                       infer=None) -> list[FullSizeScore]:
    return evaluate_files(runner, list_images(dataset_dir), scale, with_ssim, infer)


def evaluate_files(runner: Runner, files: list[Path], scale: int = SCALE, with_ssim: bool = True,
                   infer=None) -> list[FullSizeScore]:
    """``infer`` (plane -> plane) overrides whole-image inference, e.g. with tiled inference."""
    scores = []
    for path in files:
        hr = crop_to_scale(load_rgb(path), scale)
        bicubic = np.asarray(degrade(hr, scale))
        truth = np.asarray(hr)
        plane = network_input(bicubic)
        try:
            out = infer(plane) if infer else bounded_inference(runner, plane)
        except MemoryError as exc:
            raise SrcnnGateError(path, f"full-size inference of this {hr.width}x{hr.height} image ran out of "
                                       f"memory ({exc or 'MemoryError'})") from None
        sr = compose_sr_rgb(out, bicubic)
        scores.append(FullSizeScore(
            image=path.stem, width=hr.width, height=hr.height,
            psnr=standard_psnr(sr, truth, scale),
            ssim=standard_ssim(sr, truth, scale) if with_ssim else float("nan"),
            bicubic_psnr=standard_psnr(bicubic, truth, scale),
            bicubic_ssim=standard_ssim(bicubic, truth, scale) if with_ssim else float("nan"),
        ))
    return scores


# The SRCNN paper (Dong et al., TPAMI 2016, 9-5-5, x2), PSNR in dB: (SRCNN, bicubic).
PAPER_X2_PSNR = {"Set5": (36.66, 33.66), "Set14": (32.45, 30.23)}


def summary(scores: list[FullSizeScore]) -> dict:
    keys = ("psnr", "ssim", "bicubic_psnr", "bicubic_ssim")
    return {k: float(np.mean([getattr(s, k) for s in scores])) for k in keys} | {"images": len(scores)}
