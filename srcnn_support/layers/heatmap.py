"""The output error of one image as a picture: where an error sits shows tiling seams, borders or clipping."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from srcnn_support.atomic import atomic_write_via

ZOOM = 2  # 256 x 256 outputs become 512 x 512: one error pixel stays visible without smoothing


def error_colours(error: np.ndarray) -> np.ndarray:
    """Backend minus PyTorch as RGB: red where the backend is above, blue below, white where equal; the scale
    is the image's own largest error (a diverging map, so a constant offset reads as a flat colour)."""
    error = np.nan_to_num(np.asarray(error, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    scale = float(np.abs(error).max()) or 1.0
    t = np.clip(error / scale, -1.0, 1.0)[..., None]
    white, red, blue = np.array([255.0, 255.0, 255.0]), np.array([178.0, 24.0, 43.0]), np.array([33.0, 102.0, 172.0])
    rgb = np.where(t >= 0, white + (red - white) * t, white + (blue - white) * -t)
    return rgb.round().astype(np.uint8)


def save_error_heatmap(error: np.ndarray, path: Path) -> Path:
    picture = Image.fromarray(error_colours(error))
    picture = picture.resize((picture.width * ZOOM, picture.height * ZOOM), Image.NEAREST)
    atomic_write_via(path, lambda tmp: picture.save(tmp, format="PNG"))
    return path
