"""The GPU gate's timing rules, figures and verdicts, checked where no GPU is needed."""
from __future__ import annotations

import time

import numpy as np
import pytest

from srcnn_support.backends.base import RunnerInfo
from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.backends.torch_cuda import missing_torch_cuda
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import DEFAULT_WEIGHTS, TARGETS_FILE
from srcnn_support.gate.gpu_gate import gate_failures, measure_on_gpu, perf_row, reference_fps, timing_policy
from srcnn_support.gate.targets import load_targets, missing_hardware
from srcnn_support.perf.gpu_timing import (
    RECORDED_ONLY,
    T4_REFERENCE_FPS,
    TRTEXEC_DEFAULTS,
    TimingPolicy,
    gpu_figures,
    time_cuda_events,
    time_wall_clock,
)

TARGETS = load_targets(TARGETS_FILE)
INFO = RunnerInfo("torch-cuda-fp16", "fp16", {"torch": "x"}, {"gpu": "test"})


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
    compute = [1.0] * 98 + [2.0, 3.0]  # ms per batch of 16
    figures = gpu_figures(16, compute, [4.0] * 10)
    assert figures["fps"] == pytest.approx(16 * 1000 / np.mean(compute))
    assert figures["fps_median"] == pytest.approx(16000.0)
    assert figures["latency_p99_ms"] == pytest.approx(np.percentile(compute, 99))
    assert figures["end_to_end_fps"] == pytest.approx(4000.0)
    assert figures["ratio_to_reference"] == pytest.approx(figures["fps"] / T4_REFERENCE_FPS)


def test_cuda_target_gates_compute_against_the_t4():
    cuda = TARGETS["cuda"]
    assert cuda.timing == "cuda-events" and cuda.backend == "torch-cuda-fp16" and reference_fps(cuda) == 1163.108
    slow, text = gate_failures(cuda, 1, {"fps": 1000.0})
    assert text == "compute >= 1163.108 images/s" and "1000.000 images/s < 1163.108" in slow[0]
    assert gate_failures(cuda, 16, {"fps": 20000.0}) == ([], text)
    row = perf_row(cuda, INFO, 1, 0, {"fps": 1000.0}, True, slow, text)
    assert row["verdict"] == "fail" and row["gated"]
    assert perf_row(cuda, INFO, 8, 0, {"fps": 1.0}, False, [], None)["verdict"] == "recorded"


def test_data_centre_target_is_recorded_until_measured():
    hopper = TARGETS["hopper"]
    assert hopper.gates == () and hopper.detect["name_contains_any"] == ["H100", "H200"]
    assert "no measurement yet; first device run sets it" in hopper.notes["thresholds"]
    failures, text = gate_failures(hopper, 16, {"fps": 1.0})
    row = perf_row(hopper, INFO, 16, 0, {"fps": 1.0}, True, failures, text)
    assert (failures, text, row["verdict"], row["gated"]) == ([], None, "recorded", False)
    assert "no measurement yet" in row["threshold_status"]


def test_gated_sizes_get_trtexec_timing_recorded_ones_less():
    cuda = TARGETS["cuda"]
    assert timing_policy(cuda, 16, True) is TRTEXEC_DEFAULTS
    assert timing_policy(cuda, 8, True) is RECORDED_ONLY and timing_policy(cuda, 16, False) is RECORDED_ONLY


def test_runner_without_device_staging_is_refused():
    batch = np.zeros((1, 1, 8, 8), np.float32)
    with pytest.raises(SrcnnGateError, match="pytorch: CUDA-event timing needs a runner that stages inputs"):
        measure_on_gpu(PyTorchRunner(DEFAULT_WEIGHTS), batch, RECORDED_ONLY, T4_REFERENCE_FPS)


@pytest.mark.skipif(missing_torch_cuda() is None, reason="torch sees a CUDA GPU here")
def test_gpu_targets_name_what_is_missing():
    for name in ("cuda", "hopper"):
        assert "torch.cuda.is_available() is False" in missing_hardware(TARGETS[name])


@pytest.mark.skipif(missing_torch_cuda() is not None, reason=f"needs a CUDA GPU: {missing_torch_cuda()}")
def test_cuda_events_time_a_known_kernel():
    import torch

    a = torch.rand(2048, 2048, device="cuda")
    samples = time_cuda_events(lambda: a @ a, 0, TimingPolicy(warmup_s=0.05, duration_s=0.2))
    assert len(samples) >= 10 and all(s > 0 for s in samples)
