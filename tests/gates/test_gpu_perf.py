"""The throughput gate on a CUDA GPU, timed like trtexec (targets with ``"timing": "cuda-events"``).

Compute images/s = batch x 1000 / mean GPU time of one replay of the CUDA graph (CUDA events,
inputs already on the device, 200 ms warm-up, at least 3 s and 10 iterations for gated sizes) is
gated; end-to-end images/s (host to host) and the ratio to the T4's 1163.108 are recorded. Without a
GPU these tests skip naming what is missing (``perf_target`` checks the hardware and the runtime).
"""
from __future__ import annotations

import math

import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.gpu_gate import gpu_decision, measure_on_gpu, perf_row, reference_fps, timing_policy
from srcnn_support.perf.method import batch_of
from srcnn_support.plugin.outcomes import end_if_recorded_only

pytestmark = pytest.mark.perf


def _require_cuda_event_target(target) -> None:
    if target.timing != "cuda-events":
        pytest.skip(f"target {target.name} is timed on the host clock by tests/gates/test_perf.py")


def _measure(target, runner, prepared, batch_size: int, gated_backend: bool):
    batch = batch_of(prepared, batch_size)
    try:
        return measure_on_gpu(runner, batch, timing_policy(target, batch_size, gated_backend), reference_fps(target))
    except SrcnnGateError as exc:
        pytest.fail(str(exc), pytrace=False)


def test_gpu_compute_throughput(perf_target, perf_runner, prepared, perf_batch_size, perf_device, recorder):
    target, batch_size = perf_target, perf_batch_size
    _require_cuda_event_target(target)
    figures, info = _measure(target, perf_runner(batch_size, perf_device).runner, prepared, batch_size, True)
    gated = batch_size in target.gated_batch_sizes
    decision = gpu_decision(target, f"{target.name}/{info.backend}", batch_size, figures) if gated else None
    row = perf_row(target, info, batch_size, perf_device, figures, decision)
    recorder.add_perf(row)
    assert math.isfinite(figures["fps"]) and figures["fps"] > 0
    assert decision is None or decision, decision.message()
    end_if_recorded_only(row)


def test_gpu_recorded_backend_throughput(perf_target, perf_variant_runner, prepared, perf_batch_size, recorder):
    """E.g. TF32 fp32 beside the gated fp16: the same timing, recorded only."""
    target, batch_size = perf_target, perf_batch_size
    _require_cuda_event_target(target)
    if not target.recorded_backends:
        pytest.skip(f"target {target.name} records no other backend")
    for backend in target.recorded_backends:
        figures, info = _measure(target, perf_variant_runner(backend).runner, prepared, batch_size, False)
        row = perf_row(target, info, batch_size, 0, figures, None)
        recorder.add_perf(row)
        assert math.isfinite(figures["fps"]) and figures["fps"] > 0
    end_if_recorded_only(row)
