"""What the timed loop computed, and whether it was timing a cache: MLPerf's compliance tests for a throughput run
(mlcommons/inference ``compliance/nvidia/TEST01``: outputs logged in performance mode are checked against the
accuracy run's; ``TEST04``: a run that repeats one sample may not beat one over distinct samples).

A runner that returns a stored or empty output quickly would otherwise pass every throughput gate.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from srcnn_support.perf.method import InterleavedRatio, interleaved_ratio

KEPT_SAMPLES = 4
MIN_BLOCKS = 12  # six AB / BA block pairs: the fewest with a 95% interval for their median


class SampledInfer:
    """``infer`` as the timed loop calls it, keeping copies of the outputs of calls 1, 2, 4, 8, ... (the last
    ``KEPT_SAMPLES`` of them): the first calls and the late ones, at the cost of a copy on a few calls only."""

    def __init__(self, infer: Callable[[np.ndarray], np.ndarray], keep: int = KEPT_SAMPLES) -> None:
        self._infer = infer
        self._keep = keep
        self.calls = 0
        self.samples: list[tuple[int, np.ndarray]] = []

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        output = self._infer(batch)
        self.calls += 1
        if self.calls & (self.calls - 1) == 0:
            self.samples.append((self.calls, np.array(output, dtype=np.float32, copy=True)))
            del self.samples[:-self._keep]
        return output


def repeated_over_distinct(infer: Callable[[np.ndarray], np.ndarray], batch: np.ndarray,
                           min_time_s: float = 4.0) -> InterleavedRatio:
    """Throughput of calls that repeat ``batch`` over calls that each get an input never seen before (``batch``
    plus a different multiple of 2^-20 per call, a change below the 8-bit input's step), interleaved. Both sides
    write their input into a buffer first, so they do the same work outside the runner; 1.0 means no caching."""
    repeated, distinct = np.empty_like(batch), np.empty_like(batch)
    counter = iter(range(1, 1 << 30))

    def repeat() -> object:
        np.copyto(repeated, batch)
        return infer(repeated)

    def fresh() -> object:
        np.add(batch, next(counter) * 2.0 ** -20, out=distinct)
        return infer(distinct)

    # At batch 16 a call takes about a second on 2 cores, so min_time_s alone ran four pairs, no interval, and a
    # single noisy pair failed a clean ONNX Runtime (1.118 x in a CI run).
    return interleaved_ratio(fresh, repeat, min_rounds=8, min_time_s=min_time_s, min_blocks=MIN_BLOCKS)
