"""srcnn_postprocess.py: read the tool's dump directory, score it, write super-resolved PNGs."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.errors import SrcnnGateError
from srcnn_support.prepare.guide_files import Layout, read_bin, read_dump_dir
from srcnn_support.prepare.imaging import CROP_SIZE, compose_sr_rgb, degrade, load_rgb
from srcnn_support.prepare.prep import save_png
from srcnn_support.score.metrics import guide_psnr


def postprocess(dump_dir: Path, png_dir: Path, bin_dir: Path, save_dir: Path,
                size: int = CROP_SIZE) -> list[tuple[str, float]]:
    """Guide metric per image (unclamped, as the guide's script); PNGs use the bicubic image's chroma."""
    bins = sorted(Path(bin_dir).glob("*.bin"))
    if not bins:
        raise SrcnnGateError(bin_dir, "no .bin files found")
    stems = [b.stem for b in bins]
    outputs = read_dump_dir(dump_dir, stems, size, size)
    rows = []
    for path in bins:
        y_in = read_bin(path, size, size, Layout.GUIDE)
        y_out = np.ascontiguousarray(Layout.GUIDE.from_file_order(outputs[path.stem]))
        if not np.isfinite(y_out).all():
            raise SrcnnGateError(dump_dir / f"{path.stem}_*", "output contains NaN or Inf")
        ground_truth = load_rgb(Path(png_dir) / f"{path.stem}_{size}.png")
        bicubic = np.asarray(degrade(ground_truth))
        save_png(Path(save_dir) / f"{path.stem}_srcnn_x2.png", compose_sr_rgb(y_out, bicubic))
        rows.append((path.stem, guide_psnr(y_in, y_out, clamp=False)))
    return rows
