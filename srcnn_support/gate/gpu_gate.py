"""The GPU throughput gate's rows and verdicts (``timing: cuda-events`` targets in fixtures/targets.json).

Compute images/s (CUDA events around the replayed graph, inputs already on the device) is what the
target's gates judge; end-to-end images/s (host array to host array) and the ratio to the T4 are
recorded beside it. Backends in ``recorded_backends`` (e.g. TF32) are measured the same way, never gated.
"""
from __future__ import annotations

import numpy as np

from srcnn_support.backends.base import RunnerInfo
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.perf_rules import NOT_GATED, PerfDecision, decide, throughput_checks
from srcnn_support.gate.targets import Target
from srcnn_support.perf.gpu_timing import (
    RECORDED_ONLY,
    T4_REFERENCE_FPS,
    TRTEXEC_DEFAULTS,
    TimingPolicy,
    gpu_figures,
    time_cuda_events,
    time_wall_clock,
)


def reference_fps(target: Target) -> float:
    return float(target.published.get("1", {}).get("fps", T4_REFERENCE_FPS))


def timing_policy(target: Target, batch_size: int, gated_backend: bool) -> TimingPolicy:
    """trtexec's 3 s for what is gated; 1 s for recorded figures keeps a device run within its minutes."""
    return TRTEXEC_DEFAULTS if gated_backend and batch_size in target.gated_batch_sizes else RECORDED_ONLY


def measure_on_gpu(runner, batch: np.ndarray, policy: TimingPolicy, reference: float) -> tuple[dict, RunnerInfo]:
    """``runner`` is a TorchCudaGraphRunner (it has ``stage`` and ``device``); it is activated here."""
    if not hasattr(runner, "stage"):
        raise SrcnnGateError(runner.name, "CUDA-event timing needs a runner that stages inputs on the device")
    with runner:
        output = runner.infer(batch)
        if not np.isfinite(output).all():
            raise SrcnnGateError(runner.name, f"batch {len(batch)}: output contains NaN or Inf")
        end_to_end = time_wall_clock(lambda: runner.infer(batch), RECORDED_ONLY)
        compute = time_cuda_events(runner.stage(batch), runner.device, policy)
        info = runner.info()
    return gpu_figures(len(batch), compute, end_to_end, reference), info


def gpu_decision(target: Target, subject: str, batch_size: int, figures: dict) -> PerfDecision:
    """The target's gates at this batch size, applied to the compute figure (CUDA events)."""
    return decide(throughput_checks(target, subject, batch_size, figures["fps"], figure="compute"))


def perf_row(target: Target, info: RunnerInfo, batch_size: int, device: int, figures: dict,
             decision: PerfDecision | None) -> dict:
    """``decision`` None: a recorded-only measurement (a recorded backend or batch size)."""
    decided = decision is not None and decision.decided
    row = {"target": target.name, "backend": info.backend, "precision": info.precision, "batch_size": batch_size,
           "device": device, "timer": "CUDA events around the graph replay (compute); host clock (end-to-end)",
           "gated": decided, "versions": info.versions, "details": info.details, **figures,
           **(decision.row_fields() if decided else {"gate": None, "verdict": NOT_GATED})}
    if decision is not None and not decided and target.notes.get("thresholds"):
        row["threshold_status"] = target.notes["thresholds"]
    return row
