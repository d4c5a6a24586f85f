"""Throughput methodology: warm-up, enough rounds for a stable median, and one formula.

compute images/s = batch_size x 1000 / mean latency (ms) of one call on a batch. On the CPU the
call is the whole computation, so end-to-end equals compute; device runners report both where
their tool does. Inputs are real preprocessed images, cycled to fill a batch.
"""
from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from srcnn_support.model.network import FLOP_PER_PIXEL
from srcnn_support.prepare.imaging import CROP_SIZE
from srcnn_support.prepare.prep import PreparedImage

GFLOP_PER_IMAGE = FLOP_PER_PIXEL * CROP_SIZE * CROP_SIZE / 1e9  # 7.495


def batch_of(images: list[PreparedImage], batch_size: int) -> np.ndarray:
    planes = [images[i % len(images)].network_input for i in range(batch_size)]
    return np.ascontiguousarray(np.stack(planes)[:, None], dtype=np.float32)


@dataclass(frozen=True)
class LatencyStats:
    rounds: int
    mean_ms: float
    median_ms: float
    p99_ms: float
    min_ms: float
    max_ms: float
    stddev_ms: float
    p90_ms: float = math.nan

    @classmethod
    def from_seconds(cls, samples: list[float]) -> "LatencyStats":
        ms = sorted(s * 1000.0 for s in samples)
        return cls(len(ms), statistics.fmean(ms), statistics.median(ms), _percentile(ms, 99.0), ms[0], ms[-1],
                   statistics.stdev(ms) if len(ms) > 1 else 0.0, _percentile(ms, 90.0))

    @property
    def cv(self) -> float:
        """Coefficient of variation of the call latency: trtexec warns above 1% of GPU compute time."""
        return self.stddev_ms / self.mean_ms if self.mean_ms else math.nan


# MLPerf's loadgen refuses a percentile from fewer queries than these (p90: 64, p99: 662)
MIN_SAMPLES_FOR_PERCENTILE = {90: 64, 99: 662}
MAX_GATED_CV = 0.10  # a gated row's latency spread above this is measured again, then not decided (decision 0009)


def spread_fields(stats: LatencyStats) -> dict:
    """Sample count, CV, median, and each percentile only where enough samples support it."""
    fields = {"latency_samples": stats.rounds, "latency_cv": stats.cv}
    notes = []
    for q, needed in MIN_SAMPLES_FOR_PERCENTILE.items():
        supported = stats.rounds >= needed
        fields[f"latency_p{q}_ms"] = getattr(stats, f"p{q}_ms") if supported else None
        if not supported:
            notes.append(f"p{q} n/a ({stats.rounds} samples; {needed} needed)")
    if notes:
        fields["latency_percentiles"] = "; ".join(notes)
    return fields


def unstable(stats: LatencyStats, limit: float = MAX_GATED_CV) -> str | None:
    """Why a gated row's figure is too unsteady to decide, or None."""
    if stats.cv > limit:
        return (f"unstable: latency CV {stats.cv:.1%} over {stats.rounds} samples "
                f"(at most {limit:.0%} is steady enough to gate)")
    return None


def _percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    return float(np.percentile(np.asarray(sorted_values), q))


def time_calls(fn: Callable[[], object], min_rounds: int = 5, min_time_s: float = 1.0,
               max_rounds: int = 1000, warmup_rounds: int = 1) -> list[float]:
    for _ in range(warmup_rounds):
        fn()
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < max_rounds and (len(samples) < min_rounds or time.perf_counter() - started < min_time_s):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


@dataclass(frozen=True)
class InterleavedRatio:
    """Latency of ``second`` over ``first``: the median of per-pair ratios, the pairs, and every call's time."""
    median: float
    pair_ratios: list[float]
    first_s: list[float]
    second_s: list[float]

    def median_interval(self, confidence: float = 0.95) -> tuple[float, float]:
        return median_confidence_interval(self.pair_ratios, confidence)

    @property
    def speedup(self) -> float:
        """Throughput of ``second`` over ``first``."""
        return 1.0 / self.median

    def speedup_interval(self, confidence: float = 0.95) -> tuple[float, float] | None:
        """The interval of ``speedup``; None when too few pairs were measured to give one (e.g. at batch 16)."""
        try:
            low, high = self.median_interval(confidence)
        except ValueError:
            return None
        return 1.0 / high, 1.0 / low


def median_confidence_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float]:
    """Distribution-free interval for the median: order statistics ``x_(k)``, ``x_(n+1-k)`` (sign test).

    ``k`` is the largest rank with ``P(Binomial(n, 1/2) < k) <= (1 - confidence) / 2``; e.g. n = 16 at
    95% gives ranks 4 and 13. No assumption about the noise's shape, which on a shared VM is skewed.
    """
    ordered = sorted(values)
    n = len(ordered)
    alpha_half = (1.0 - confidence) / 2.0
    k, below = 0, 0.0
    while k < n // 2 and below + math.comb(n, k) / 2.0 ** n <= alpha_half:
        below += math.comb(n, k) / 2.0 ** n
        k += 1
    if k == 0:
        raise ValueError(f"{n} values cannot give a {confidence:.0%} interval for the median")
    return ordered[k - 1], ordered[n - k]


def interleaved_ratio(first: Callable[[], object], second: Callable[[], object], min_rounds: int = 6,
                      min_time_s: float = 4.0, block_rounds: int | None = None,
                      min_blocks: int = 6, block_warmup: int = 1) -> InterleavedRatio:
    """Latency of ``second`` relative to ``first``, measured in alternating blocks (AB BA AB ...).

    Blocks, not single calls, alternate, and the ratio is the median over block pairs; why, with the
    measurements: docs/decisions/0002-interleaved-latency-ratio.md.
    """
    probe = time_calls(first, min_rounds=1, max_rounds=1, min_time_s=0.0) + \
        time_calls(second, min_rounds=1, max_rounds=1, min_time_s=0.0)
    per_call = max(sum(probe) / 2, 1e-4)
    rounds = block_rounds or max(2, min(10, int(min_time_s / (2 * min_blocks) / per_call)))
    a: list[float] = []
    b: list[float] = []
    pair_ratios: list[float] = []
    started, pair = time.perf_counter(), 0
    while (pair < min_blocks // 2 or len(a) < min_rounds or time.perf_counter() - started < min_time_s) and pair < 400:
        block: dict[int, list[float]] = {}
        for side in ((0, 1) if pair % 2 == 0 else (1, 0)):
            block[side] = time_calls((first, second)[side], min_rounds=rounds, max_rounds=rounds, min_time_s=0.0,
                                     warmup_rounds=block_warmup)
        a.extend(block[0])
        b.extend(block[1])
        pair_ratios.append(statistics.median(block[1]) / statistics.median(block[0]))
        pair += 1
    return InterleavedRatio(statistics.median(pair_ratios), pair_ratios, a, b)


def remeasured_speedup(measure: Callable[[], InterleavedRatio], threshold: float | None) -> list[InterleavedRatio]:
    """One measurement, and a second one when the first reads below ``threshold``; the caller takes the faster.

    A slow spell of a shared VM slowed INT8 more than fp32 within one measurement (1.41-1.58 against
    1.8-2.1 minutes apart): docs/decisions/0004-remeasure-a-slow-speedup.md.
    """
    attempts = [measure()]
    if threshold is not None and attempts[0].speedup < threshold:
        attempts.append(measure())
    return attempts


def throughput_figures(batch_size: int, stats: LatencyStats) -> dict:
    fps = batch_size * 1000.0 / stats.mean_ms
    return {"fps": fps, "fps_median": batch_size * 1000.0 / stats.median_ms,
            "gflops": fps * GFLOP_PER_IMAGE, **{f"latency_{k}": v for k, v in asdict(stats).items()},
            **spread_fields(stats)}


def peak_shares(gflops: float) -> dict:
    """The model's GFLOP/s as a share of the measured and of the nominal fp32 peak (see host.py)."""
    from srcnn_support.perf.host import measured_fp32_peak, nominal_fp32_peak

    measured, nominal = measured_fp32_peak(), nominal_fp32_peak()
    shares = {**share_of_measured_peak(gflops, None if measured.contended else measured.gflops),
              "peak_share_nominal": gflops / nominal.gflops if nominal.gflops else None}
    return {**shares, "peak_contended": measured.contended} if measured.contended else shares


def share_of_measured_peak(gflops: float, peak_gflops: float | None) -> dict:
    """``peak_share``, or None with ``peak_share_void`` saying why where the probe read below the runtime itself:
    a "peak" that the model beats was not one (the bf16 probe on a 2-vCPU AMX VM read 226-1069 GFLOP/s from one
    process to the next, while OpenVINO's bf16 SRCNN ran at 531), and a share over 100% would only mislead."""
    if not peak_gflops:
        return {"peak_share": None}
    if gflops > peak_gflops:
        return {"peak_share": None, "peak_share_void": f"{gflops:.0f} GFLOP/s is above the probe's {peak_gflops:.0f}: "
                                                       "the probe missed this CPU's peak, no share is given"}
    return {"peak_share": gflops / peak_gflops}


def describe_peaks() -> str:
    from srcnn_support.perf.host import measured_fp32_peak, nominal_fp32_peak

    measured, nominal = measured_fp32_peak(), nominal_fp32_peak()
    nominal_text = f"{nominal.gflops:.0f} GFLOP/s ({nominal.explanation})" if nominal.gflops else nominal.explanation
    return (f"measured {measured.gflops:.0f} GFLOP/s ({measured.explanation}), the base of '% of measured peak'; "
            f"nominal {nominal_text}")


def peak_share_for(precision: str, gflops: float) -> dict:
    """A runtime's GFLOP/s against the measured peak of its own arithmetic: the fp32 MatMul for fp32, the bf16
    matmul for bf16 (where the CPU runs bf16); int8 has no measured peak."""
    if precision == "fp32":
        return peak_shares(gflops)
    if precision != "bf16":
        return {"peak_share": None}
    from srcnn_support.perf.host import measured_bf16_peak

    peak = measured_bf16_peak()
    return {**share_of_measured_peak(gflops, None if peak.contended else peak.gflops), "peak_of": "bf16 matmul"}
