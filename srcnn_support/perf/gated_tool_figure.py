"""The device tool's own throughput figure, gated in place of the suite's wall clock where a runner has one.

A runner with a ``tool_figure(batch)`` method (TensorRT: trtexec's ``GPU Compute Time`` mean, or
CUDA events around ``execute_async_v3``) reports what the guide's numbers are: compute time of one
query on the device. The suite's own end-to-end figure (``runner.infer`` wall clock: process start,
engine load and file I/O for trtexec) is recorded beside it, never gated.
"""
from __future__ import annotations

import numpy as np

from srcnn_support.backends.tool_log_parsers import ToolFigure
from srcnn_support.perf.method import GFLOP_PER_IMAGE


def measure_tool_figure(runner, batch: np.ndarray) -> ToolFigure | None:
    measure = getattr(runner, "tool_figure", None)
    return measure(batch) if measure is not None else None


def tool_row(tool: ToolFigure, suite: dict) -> dict:
    """Perf-row fields: ``fps`` and latencies become the tool's compute figures; the suite's own
    (``throughput_figures`` of its wall-clock timing) move to ``end_to_end_*``."""
    moved = {f"end_to_end_{k}": v for k, v in suite.items() if k.startswith("latency_") or k == "fps_median"}
    cleared = {k: None for k in suite if k.startswith("latency_") or k == "fps_median"}
    return {**cleared, **moved, "fps": tool.compute_fps, "gflops": tool.compute_fps * GFLOP_PER_IMAGE,
            "latency_mean_ms": tool.mean_latency_ms, "latency_median_ms": tool.median_latency_ms,
            "latency_p99_ms": tool.p99_latency_ms,
            "fps_source": f"{tool.tool}: GPU compute mean {tool.mean_latency_ms:g} ms per batch of {tool.batch_size}",
            "tool": tool.tool, "tool_end_to_end_fps": tool.end_to_end_fps,
            "end_to_end_fps": suite["fps"], "end_to_end_source": "suite: runner.infer wall clock"}
