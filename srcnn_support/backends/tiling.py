"""Tiled inference for images larger than the model's input: exact, with bounded memory.

SRCNN 9-5-5 sees 4 + 2 + 2 = 8 pixels around each output pixel. A tile computed with at least
that halo around the part that is kept therefore equals whole-image inference there (the zero
padding at true image borders is the network's own). Peak activation memory is that of one batch
of tiles, whatever the image size.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

HALO = 4 + 2 + 2


def tile_starts(length: int, tile: int, halo: int = HALO) -> list[int]:
    if length <= tile:
        return [0]
    core = tile - 2 * halo
    if core <= 0:
        raise ValueError(f"tile {tile} leaves no core inside a {halo}-pixel halo")
    starts = list(range(0, length - tile, core))
    return starts + [length - tile]


def tiled_inference(infer: Callable[[np.ndarray], np.ndarray], plane: np.ndarray, tile: int | tuple[int, int] = 256,
                    halo: int = HALO, batch_size: int = 4, fill_batches: bool = False) -> np.ndarray:
    """``infer`` maps an N x 1 x th x tw batch to the same shape (``tile``: t for t x t, or (th, tw)); tiles
    smaller than ``tile`` only when the image is, so a fixed-shape model (one .om per batch, an ONNX model
    fixed at H x W) works for any image at least tile-sized."""
    height, width = plane.shape
    tile_h, tile_w = (tile, tile) if isinstance(tile, int) else tile
    th, tw = min(tile_h, height), min(tile_w, width)
    output = np.empty((height, width), np.float32)
    boxes = [(top, left) for top in tile_starts(height, th, halo) for left in tile_starts(width, tw, halo)]
    for i in range(0, len(boxes), batch_size):
        chunk = boxes[i:i + batch_size]
        tiles = [plane[top:top + th, left:left + tw] for top, left in chunk]
        if fill_batches:  # a fixed-batch model takes exactly batch_size tiles; the repeats are discarded
            tiles += [tiles[-1]] * (batch_size - len(tiles))
        result = infer(np.stack(tiles)[:, None].astype(np.float32))
        for (top, left), out in zip(chunk, result[:, 0], strict=False):
            y0 = 0 if top == 0 else top + halo
            x0 = 0 if left == 0 else left + halo
            y1 = height if top + th == height else top + th - halo
            x1 = width if left + tw == width else left + tw - halo
            output[y0:y1, x0:x1] = out[y0 - top:y1 - top, x0 - left:x1 - left]
    return output


def fixed_shape_inference(infer: Callable[[np.ndarray], np.ndarray], batch_size: int,
                          tile: int | tuple[int, int] = 256) -> Callable[[np.ndarray], np.ndarray]:
    """Plane -> plane through a model fixed at ``batch_size x 1 x tile x tile`` (an .om, a fixed engine),
    or ``batch_size x 1 x th x tw`` for ``tile=(th, tw)``.

    A side shorter than the tile is zero-padded up to it and cropped back. That is exact except in
    the HALO-pixel band next to the padded edge: there the whole-image network zero-pads each
    layer's input, while on the padded plane the inner layers see activations of the zeros.
    """
    def run(plane: np.ndarray) -> np.ndarray:
        height, width = plane.shape
        tile_h, tile_w = (tile, tile) if isinstance(tile, int) else tile
        padded = np.pad(plane, ((0, max(0, tile_h - height)), (0, max(0, tile_w - width))))
        return tiled_inference(infer, padded, tile, batch_size=batch_size, fill_batches=True)[:height, :width]

    return run
