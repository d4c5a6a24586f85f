"""The runtime peer table: runtimes take turns, each gets calls in every round, rows sorted fastest first."""
from __future__ import annotations

import time

import pytest

from srcnn_support.perf.method import GFLOP_PER_IMAGE
from srcnn_support.perf.peers import fastest_by_role, interleaved_calls, peer_rows


def test_runtimes_take_turns_and_the_slower_one_reads_slower():
    order = []

    def runtime(name, seconds):
        def call():
            order.append(name)
            time.sleep(seconds)
        return call

    calls = interleaved_calls({"fast": runtime("fast", 0.002), "slow": runtime("slow", 0.008)}, rounds=4,
                              block_s=0.03)
    assert order[:2] == ["fast", "slow"]  # one warm-up call each
    switches = sum(1 for a, b in zip(order[2:], order[3:], strict=False) if a != b)
    assert switches >= 3  # four rounds, two runtimes each: they alternated, not one block each
    assert min(calls["slow"]) > max(calls["fast"]) * 0.5 and len(calls["fast"]) > len(calls["slow"])
    rows = peer_rows(calls, 1, {"fast": "int8", "slow": "fp32"}, {}, "slow", {"fp32": 1e5})
    assert [row["backend"] for row in rows] == ["fast", "slow"]
    slow = rows[1]
    assert slow["vs_reference"] == 1.0 and slow["gflops"] == pytest.approx(slow["images_per_s"] * GFLOP_PER_IMAGE)
    assert slow["peak_share"] == pytest.approx(slow["gflops"] / 1e5)
    assert rows[0]["peak_share"] is None and rows[0]["vs_reference"] > 2  # no int8 peak measured
    (beaten,) = [r for r in peer_rows(calls, 1, {"fast": "int8", "slow": "fp32"}, {}, "slow", {"fp32": 1e-3})
                 if r["backend"] == "slow"]
    assert beaten["peak_share"] is None and "above the probe's" in beaten["peak_share_void"]


def _ran(backend: str, precision: str, fps: float) -> dict:
    return {"backend": backend, "precision": precision, "images_per_s": fps, "vs_reference": fps / 40.0,
            "gflops": fps * GFLOP_PER_IMAGE, "peak_share": None}


def test_fastest_exact_and_reduced_come_from_the_measured_table():
    rows = [_ran("openvino-bf16", "bf16", 300.0), _ran("onnxruntime-int8", "int8", 88.0),
            _ran("openvino", "fp32", 47.0), _ran("onnxruntime", "fp32", 40.0), _ran("pytorch", "fp32", 28.0),
            {"backend": "tensorrt", "absent": "not installed"}]
    fastest = fastest_by_role(rows, "openvino")
    assert fastest["exact"]["backend"] == "openvino" and fastest["reduced"]["backend"] == "openvino-bf16"
    assert fastest["agrees"] and fastest["full_size_backend_share_of_fastest"] == 1.0


def test_a_full_size_backend_the_table_measured_clearly_slower_is_said():
    rows = [_ran("openvino", "fp32", 30.0), _ran("onnxruntime", "fp32", 40.0)]
    fastest = fastest_by_role(rows, "openvino")
    assert fastest["exact"]["backend"] == "onnxruntime" and "reduced" not in fastest
    assert fastest["agrees"] is False and fastest["full_size_backend_share_of_fastest"] == pytest.approx(0.75)
    # within the table's run-to-run spread: agrees
    assert fastest_by_role([_ran("openvino", "fp32", 39.0), _ran("onnxruntime", "fp32", 40.0)], "openvino")["agrees"]
