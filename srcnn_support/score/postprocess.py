"""srcnn_postprocess.py: read the tool's dump directory, score it, write the guide's result PNGs.

The script is ``ACL_PyTorch/contrib/cv/super_resolution/SRCNN/srcnn_postprocess.py`` in
Ascend/ModelZoo-PyTorch (read at commit 0536017). What these images copy from it:

- Y is the dump read as float32 (``np.loadtxt(..., np.float32)``), transposed back, then
  ``torch.from_numpy(array).mul(255)``: float32, never clamped;
- Cb/Cr come from ``convert_rgb_to_ycbcr`` of the ``<name>_256.png`` crop read as
  ``np.array(...).astype(np.float32)``, not from the bicubic image the network saw;
- ``convert_ycbcr_to_rgb`` in float32 with the reference constants, each term written
  ``298.082 * Y / 256.`` (multiply, then divide), then ``np.clip(..., 0.0, 255.0).astype(np.uint8)``,
  which truncates;
- ``pil_image.fromarray(output).save(...)`` with Pillow's PNG defaults.

The metric path rounds instead (``compose_sr_rgb``, bicubic chroma, clamped Y): see
docs/decisions/0005-guide-images-truncate-metric-rounds.md. The script pairs files by substring
(``img_file[0:-9] in file``), which picks by ``os.listdir`` order when one name contains another;
here files pair by exact stem, which is what that match means on Set5.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.errors import SrcnnGateError
from srcnn_support.prepare.guide_files import Layout, read_bin, read_dump_dir
from srcnn_support.prepare.imaging import CROP_SIZE, load_rgb, rgb_to_ycbcr_reference, ycbcr_to_rgb_reference
from srcnn_support.prepare.prep import save_png
from srcnn_support.score.metrics import guide_psnr


def guide_result_rgb(y_out: np.ndarray, crop_rgb: np.ndarray) -> np.ndarray:
    """The script's result image: unclamped network Y x 255 with the crop's Cb/Cr, truncated to uint8.

    Both reference conversions compute in float32 in the script's term order, so they stand in for
    the script's own functions (tests/unit/score/test_postprocess.py holds them to its bytes).
    """
    ycbcr = rgb_to_ycbcr_reference(crop_rgb)
    ycbcr[..., 0] = np.asarray(y_out, dtype=np.float32) * np.float32(255)
    return np.clip(ycbcr_to_rgb_reference(ycbcr), 0.0, 255.0).astype(np.uint8)


def postprocess(dump_dir: Path, png_dir: Path, bin_dir: Path, save_dir: Path,
                size: int = CROP_SIZE) -> list[tuple[str, float]]:
    """Guide metric per image (unclamped, as the guide's script) and the script's result PNGs."""
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
        crop = np.asarray(load_rgb(Path(png_dir) / f"{path.stem}_{size}.png"))
        save_png(Path(save_dir) / f"{path.stem}_srcnn_x2.png", guide_result_rgb(y_out, crop))
        rows.append((path.stem, guide_psnr(y_in, y_out, clamp=False)))
    return rows
