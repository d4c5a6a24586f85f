"""A device tool's own figure replaces the suite's wall clock in the gated perf fields, which move beside it."""
import numpy as np
import pytest

from srcnn_support.backends.tool_log_parsers import ToolFigure
from srcnn_support.perf.gated_tool_figure import measure_tool_figure, tool_row
from srcnn_support.perf.method import GFLOP_PER_IMAGE, LatencyStats, throughput_figures
from srcnn_support.report.perf_blocks import perf_blocks


def test_tool_figure_is_gated_and_the_suite_figure_recorded_beside_it():
    suite = throughput_figures(1, LatencyStats.from_seconds([0.25, 0.26, 0.27]))
    tool = ToolFigure("trtexec", 1, 1000 / 0.859765, 0.859765, 0.853516, 0.987305, 1041.9)
    row = tool_row(tool, suite)
    assert row["fps"] == pytest.approx(1163.108, abs=1e-3)
    assert row["gflops"] == pytest.approx(row["fps"] * GFLOP_PER_IMAGE)
    assert row["latency_median_ms"] == 0.853516 and row["latency_min_ms"] is None
    assert row["end_to_end_fps"] == suite["fps"] and row["end_to_end_latency_median_ms"] == suite["latency_median_ms"]
    assert "GPU compute mean 0.859765 ms" in row["fps_source"]


def test_runner_without_a_tool_figure_keeps_the_suite_timing():
    class Plain:
        pass

    assert measure_tool_figure(Plain(), np.zeros((1, 1, 4, 4), np.float32)) is None


def test_report_says_which_figure_is_gated():
    suite = throughput_figures(1, LatencyStats.from_seconds([0.25]))
    row = {"target": "t4", "backend": "tensorrt", "precision": "fp16", "batch_size": 1, "verdict": "pass",
           **suite, **tool_row(ToolFigure("trtexec", 1, 1163.108, 0.859765), suite)}
    text = " ".join(b for b in perf_blocks({"perf": [row]}, None) if isinstance(b, str))
    assert "images/s is the tool's own figure (trtexec: GPU compute mean 0.859765 ms" in text
    assert "end-to-end 4.00 images/s" in text
