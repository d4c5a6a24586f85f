"""How a backend's cost grows with image size (``pytest -m perf --sizes 64,256,1024``): recorded, never gated.

SRCNN is three convolutions over every pixel, so its work is linear in the pixel count and a runtime whose time per
image grows faster than the pixels (cache spills, tiling, allocation) shows it here. Per backend and size: images/s,
megapixels/s, latency spread, and the process's peak memory while that size ran. The fitted exponent ``b`` of
``seconds per image = a x pixels^b`` (least squares in log-log over the square sizes) is about 1 when cost grows
linearly with the work.

Peak memory is the process's resident set sampled every ``RSS_PERIOD_S`` during the size's calls (ONNX Runtime and
PyTorch allocate outside Python's heap, so tracemalloc would miss them, and ``ru_maxrss`` only ever grows); the
resident set before the size ran is recorded beside it.
"""
from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable

import numpy as np

from srcnn_support.errors import SrcnnGateError

RSS_PERIOD_S = 0.005
MIN_TIME_S = 1.0
MIN_ROUNDS = 3


def parse_sizes(text: str | None) -> tuple[int, ...]:
    """``64,256,1024`` -> (64, 256, 1024); a size that is not a positive whole number is refused, naming it."""
    if not text:
        return ()
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or not 16 <= int(part) <= 8192:
            raise SrcnnGateError("--sizes", f"{part!r} is not a square side between 16 and 8192 pixels "
                                            "(give e.g. --sizes 64,256,1024)")
        sizes.append(int(part))
    return tuple(dict.fromkeys(sizes))


def resident_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class PeakResident:
    """The process's largest resident set while the block ran, sampled on a thread."""

    def __init__(self, period_s: float = RSS_PERIOD_S) -> None:
        self.period_s, self.before, self.peak = period_s, None, None
        self._stop = threading.Event()

    def __enter__(self) -> "PeakResident":
        self.before = self.peak = resident_bytes()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.period_s):
            self._take()

    def _take(self) -> None:
        now = resident_bytes()
        if now is not None and (self.peak is None or now > self.peak):
            self.peak = now

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        self._take()


def size_row(backend: str, label: str, height: int, width: int, seconds: list[float], memory: PeakResident,
             path: str) -> dict:
    """One recorded row: ``seconds`` are the calls' wall times for one image of ``height x width``."""
    mean = float(np.mean(seconds))
    pixels = height * width
    return {"backend": backend, "size": label, "height": height, "width": width, "pixels": pixels,
            "images_per_s": 1 / mean, "mpix_per_s": pixels / mean / 1e6, "latency_mean_ms": mean * 1000,
            "latency_median_ms": float(np.median(seconds)) * 1000, "samples": len(seconds),
            "latency_cv": float(np.std(seconds) / mean) if mean > 0 else None,
            "peak_rss_bytes": memory.peak, "rss_before_bytes": memory.before, "path": path}


def time_one_size(infer_plane: Callable[[np.ndarray], object], plane: np.ndarray,
                  min_time_s: float = MIN_TIME_S, min_rounds: int = MIN_ROUNDS) -> tuple[list[float], PeakResident]:
    """One warm-up call on the H x W ``plane``, then calls until both ``min_rounds`` and ``min_time_s`` are reached,
    the process's memory sampled throughout."""
    from srcnn_support.perf.method import time_calls

    with PeakResident() as memory:
        seconds = time_calls(lambda: infer_plane(plane), min_rounds=min_rounds, min_time_s=min_time_s,
                             warmup_rounds=1)
    return seconds, memory


def time_full_size(infer_plane: Callable[[np.ndarray], object],
                   planes: list[np.ndarray]) -> tuple[list[float], PeakResident]:
    """Each full-size image once (one warm-up on the first): a dataset of 68 photos is timed in one pass."""
    import time

    with PeakResident() as memory:
        infer_plane(planes[0])
        seconds = []
        for plane in planes:
            started = time.perf_counter()
            infer_plane(plane)
            seconds.append(time.perf_counter() - started)
    return seconds, memory


def full_size_row(backend: str, label: str, planes: list[np.ndarray], seconds: list[float], memory: PeakResident,
                  path: str) -> dict:
    """The dataset's full-size images as one row: images/s and MPix/s over the whole pass, mean pixels per image."""
    total_s, total_pixels = float(sum(seconds)), sum(plane.size for plane in planes)
    per_pixel = [s / plane.size for s, plane in zip(seconds, planes, strict=True)]
    return {"backend": backend, "size": label, "height": None, "width": None, "pixels": total_pixels // len(planes),
            "images_per_s": len(planes) / total_s, "mpix_per_s": total_pixels / total_s / 1e6,
            "latency_mean_ms": total_s / len(planes) * 1000, "latency_median_ms": float(np.median(seconds)) * 1000,
            "samples": len(seconds), "latency_cv": float(np.std(per_pixel) / np.mean(per_pixel)),
            "peak_rss_bytes": memory.peak, "rss_before_bytes": memory.before, "path": path}


def fitted_exponent(rows: list[dict]) -> float | None:
    """Slope of log(seconds per image) against log(pixels) over the square sizes; None with fewer than two."""
    square = {row["pixels"]: row["latency_mean_ms"] for row in rows
              if row["height"] is not None and row["height"] == row["width"]}
    if len(square) < 2:
        return None
    x = np.log([float(p) for p in square])
    y = np.log([float(ms) for ms in square.values()])
    slope = float(np.polyfit(x, y, 1)[0])
    return slope if math.isfinite(slope) else None


def exponents(rows: list[dict]) -> dict[str, float | None]:
    backends = dict.fromkeys(row["backend"] for row in rows)
    return {backend: fitted_exponent([row for row in rows if row["backend"] == backend]) for backend in backends}
