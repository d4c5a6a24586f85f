"""The GPU throughput gate's rows and verdicts (``timing: cuda-events`` targets in fixtures/targets.json).

Compute images/s (CUDA events around the replayed graph, inputs already on the device) is what the
target's gates judge; end-to-end images/s (host array to host array) and the ratio to the T4 are
recorded beside it. Backends in ``recorded_backends`` (e.g. TF32) are measured the same way, never gated.
"""
from __future__ import annotations

import numpy as np

from srcnn_support.backends.base import RunnerInfo
from srcnn_support.errors import SrcnnGateError
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


def gate_failures(target: Target, batch_size: int, figures: dict) -> tuple[list[str], str | None]:
    """Failures of the target's gates at this batch size on the compute figure, and the gate's text."""
    failures, texts = [], []
    for gate in target.gates_for(batch_size):
        if gate.kind != "min_fps":
            raise SrcnnGateError(target.name, f"gate kind {gate.kind!r} does not apply to a CUDA-event target")
        threshold = gate.threshold()
        texts.append(f"compute >= {threshold:.3f} images/s")
        if not figures["fps"] >= threshold:
            failures.append(f"compute {figures['fps']:.3f} images/s < {threshold:.3f} ({gate.provenance})")
    return failures, "; ".join(texts) or None


def perf_row(target: Target, info: RunnerInfo, batch_size: int, device: int, figures: dict, gated: bool,
             failures: list[str], gate_text: str | None) -> dict:
    verdict = ("fail" if failures else "pass") if gated and gate_text else "recorded"
    row = {"target": target.name, "backend": info.backend, "precision": info.precision, "batch_size": batch_size,
           "device": device, "timer": "CUDA events around the graph replay (compute); host clock (end-to-end)",
           "gated": gated and gate_text is not None, "versions": info.versions, "details": info.details,
           **figures, "gate": gate_text if gated else None, "verdict": verdict}
    if gated and not gate_text and target.notes.get("thresholds"):
        row["threshold_status"] = target.notes["thresholds"]
    return row
