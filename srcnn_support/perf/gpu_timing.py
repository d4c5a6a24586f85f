"""Timing on a CUDA device the way trtexec times an engine, and the figures a GPU perf row holds.

trtexec's defaults (NVIDIA/TensorRT ``samples/common/sampleOptions.h``: ``defaultWarmUp{200}`` ms,
``defaultDuration{3}`` s, ``defaultIterations{10}``, ``defaultPercentile{99}``) and its "GPU Compute
Time" (CUDA events recorded on the stream around each enqueue, inputs already on the device) are
followed here: run for the warm-up time, then record an event pair around every replay until both
the duration and the minimum iteration count are reached, and report mean, median and p99.
End-to-end (host array in, host array out, synchronised) is timed apart with the host clock under
the same rules, and recorded, not gated. When one replay is shorter than the host's loop around
it (Python, a few microseconds per event and launch), the GPU waits between samples and the
samples include that wait: at batch 1 on the fastest GPUs the figure is then a lower bound.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from srcnn_support.perf.method import LatencyStats, throughput_figures

T4_REFERENCE_FPS = 1163.108  # the guide: trtexec --fp16 on a T4, GPU compute mean 0.859765 ms at batch 1
SYNC_EVERY = 64  # bounds how far the host runs ahead of the GPU, so the duration is the GPU's time


@dataclass(frozen=True)
class TimingPolicy:
    warmup_s: float = 0.2
    duration_s: float = 3.0
    min_iterations: int = 10
    max_iterations: int = 200_000

    def keep_going(self, iterations: int, elapsed_s: float) -> bool:
        if iterations >= self.max_iterations:
            return False
        return iterations < self.min_iterations or elapsed_s < self.duration_s


TRTEXEC_DEFAULTS = TimingPolicy()
RECORDED_ONLY = TimingPolicy(duration_s=1.0)


def _warm_up(step: Callable[[], object], policy: TimingPolicy, synchronize: Callable[[], object]) -> None:
    started = time.perf_counter()
    step()
    synchronize()
    while time.perf_counter() - started < policy.warmup_s:
        step()
        synchronize()


def time_wall_clock(call: Callable[[], object], policy: TimingPolicy = RECORDED_ONLY) -> list[float]:
    """Milliseconds per call on the host clock; ``call`` must return only when its result is on the host."""
    _warm_up(call, policy, lambda: None)
    samples: list[float] = []
    started = time.perf_counter()
    while policy.keep_going(len(samples), time.perf_counter() - started):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def time_cuda_events(step: Callable[[], object], device: int, policy: TimingPolicy = TRTEXEC_DEFAULTS) -> list[float]:
    """Milliseconds of GPU time per ``step`` (e.g. a CUDA graph replay), from events on the current stream."""
    import torch

    with torch.cuda.device(device):
        stream = torch.cuda.current_stream(device)
        _warm_up(step, policy, stream.synchronize)
        pairs = []
        started = time.perf_counter()
        while policy.keep_going(len(pairs), time.perf_counter() - started):
            begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            begin.record(stream)
            step()
            end.record(stream)
            pairs.append((begin, end))
            if len(pairs) % SYNC_EVERY == 0:
                # wait for an older replay, not this one: the queue never drains, so no launch gap enters a sample
                pairs[-SYNC_EVERY // 2][1].synchronize()
        stream.synchronize()
    return [begin.elapsed_time(end) for begin, end in pairs]


def stats_from_ms(samples_ms: list[float]) -> LatencyStats:
    return LatencyStats.from_seconds([ms / 1000.0 for ms in samples_ms])


def gpu_figures(batch_size: int, compute_ms: list[float], end_to_end_ms: list[float],
                reference_fps: float = T4_REFERENCE_FPS) -> dict:
    """Compute figures (the gated ones) under the usual keys; end-to-end and the ratio to the T4 beside them."""
    compute = throughput_figures(batch_size, stats_from_ms(compute_ms))
    end_to_end = throughput_figures(batch_size, stats_from_ms(end_to_end_ms))
    return {**compute,
            "end_to_end_fps": end_to_end["fps"], "end_to_end_fps_median": end_to_end["fps_median"],
            "end_to_end_latency_median_ms": end_to_end["latency_median_ms"],
            "end_to_end_latency_p99_ms": end_to_end["latency_p99_ms"],
            "reference_fps": reference_fps, "ratio_to_reference": compute["fps"] / reference_fps}
