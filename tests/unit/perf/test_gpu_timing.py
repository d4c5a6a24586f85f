"""The GPU timing rules and figures (trtexec's defaults, wall clock, CUDA events), checked where no GPU is needed."""
from __future__ import annotations

import time

import numpy as np
import pytest

from srcnn_support.backends.torch_cuda import missing_torch_cuda
from srcnn_support.perf.gpu_timing import (
    T4_REFERENCE_FPS,
    TRTEXEC_DEFAULTS,
    TimingPolicy,
    gpu_figures,
    time_cuda_events,
    time_wall_clock,
)


def test_trtexec_defaults():
    """NVIDIA/TensorRT samples/common/sampleOptions.h: 200 ms warm-up, 3 s, at least 10 iterations."""
    assert (TRTEXEC_DEFAULTS.warmup_s, TRTEXEC_DEFAULTS.duration_s, TRTEXEC_DEFAULTS.min_iterations) == (0.2, 3.0, 10)


def test_policy_needs_both_duration_and_iterations():
    policy = TimingPolicy(duration_s=1.0, min_iterations=10, max_iterations=100)
    assert policy.keep_going(9, 5.0) and policy.keep_going(50, 0.5)
    assert not policy.keep_going(10, 1.0) and not policy.keep_going(100, 0.0)


def test_wall_clock_timing_runs_warmup_then_the_duration():
    calls = []
    policy = TimingPolicy(warmup_s=0.02, duration_s=0.05, min_iterations=10)
    started = time.perf_counter()
    samples = time_wall_clock(lambda: calls.append(np.sort(np.random.rand(2000))), policy)
    elapsed = time.perf_counter() - started
    assert len(samples) >= 10 and len(calls) > len(samples)  # warm-up calls are not samples
    assert elapsed >= 0.07 and all(s > 0 for s in samples)
    assert sum(samples) / 1000.0 <= elapsed


def test_figures_use_the_mean_and_report_median_p99_and_the_t4_ratio():
    compute = [1.0] * 698 + [2.0, 3.0]  # ms per batch of 16
    figures = gpu_figures(16, compute, [4.0] * 10)
    assert figures["fps"] == pytest.approx(16 * 1000 / np.mean(compute))
    assert figures["fps_median"] == pytest.approx(16000.0)
    assert figures["latency_p99_ms"] == pytest.approx(np.percentile(compute, 99))
    few = gpu_figures(16, compute[:100], [4.0] * 10)  # MLPerf's loadgen gives no p99 from under 662 samples
    assert few["latency_p99_ms"] is None and few["latency_p90_ms"] == pytest.approx(np.percentile(compute[:100], 90))
    assert figures["end_to_end_fps"] == pytest.approx(4000.0)
    assert figures["ratio_to_reference"] == pytest.approx(figures["fps"] / T4_REFERENCE_FPS)


@pytest.mark.skipif(missing_torch_cuda() is not None, reason=f"needs a CUDA GPU: {missing_torch_cuda()}")
def test_cuda_events_time_a_known_kernel():
    import torch

    a = torch.rand(2048, 2048, device="cuda")
    samples = time_cuda_events(lambda: a @ a, 0, TimingPolicy(warmup_s=0.05, duration_s=0.2))
    assert len(samples) >= 10 and all(s > 0 for s in samples)
