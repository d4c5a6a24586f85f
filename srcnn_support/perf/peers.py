"""The CPU runtimes side by side: every runtime this machine has, timed interleaved in one session (recorded).

A user picking a runtime for this CPU wants one table: ONNX Runtime fp32 and INT8, OpenVINO f32 and bf16, PyTorch
eager, on the same inputs, the same minute, the same machine. Timing them one after another lets a slow spell of a
shared VM land on one of them; here the runtimes take turns in short blocks, the order rotated every round, so each
sees the same conditions, and the median over a runtime's calls is its figure (as in ``method.interleaved_ratio``).
"""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from srcnn_support.perf.method import GFLOP_PER_IMAGE, share_of_measured_peak

BLOCK_S = 0.4
ROUNDS = 6


def interleaved_calls(infers: dict[str, Callable[[], object]], rounds: int = ROUNDS,
                      block_s: float = BLOCK_S) -> dict[str, list[float]]:
    """Per runtime, the wall time of each call: ``rounds`` turns of ``block_s`` each, one warm-up call first."""
    names = list(infers)
    for name in names:
        infers[name]()
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for turn in range(rounds):
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            started = time.perf_counter()
            while True:
                began = time.perf_counter()
                infers[name]()
                seconds[name].append(time.perf_counter() - began)
                if began - started >= block_s:
                    break
    return seconds


def peer_rows(seconds: dict[str, list[float]], batch_size: int, precisions: dict[str, str],
              versions: dict[str, dict], reference: str, peaks: dict[str, float | None]) -> list[dict]:
    """One row per runtime: images/s from the median call, the ratio to ``reference``, GFLOP/s and the share of the
    measured peak of its arithmetic (``peaks`` by precision; None where no peak was measured)."""
    fps = {name: batch_size / float(np.median(calls)) for name, calls in seconds.items()}
    rows = []
    for name, calls in seconds.items():
        gflops = fps[name] * GFLOP_PER_IMAGE
        peak = peaks.get(precisions[name])
        rows.append({"backend": name, "precision": precisions[name], "batch_size": batch_size,
                     "images_per_s": fps[name],
                     "vs_reference": fps[name] / fps[reference] if reference in fps else None,
                     "reference": reference, "gflops": gflops, **share_of_measured_peak(gflops, peak),
                     "calls": len(calls), "latency_median_ms": float(np.median(calls)) * 1000,
                     "latency_cv": float(np.std(calls) / np.mean(calls)), "versions": versions.get(name, {})})
    return sorted(rows, key=lambda row: -row["images_per_s"])


def fastest_by_role(rows: list[dict], chosen_exact: str) -> dict:
    """The fastest exact (fp32) and fastest reduced runtime in a peer table, and whether the measured order agrees
    with ``chosen_exact``, the backend the full-size protocol takes its fp32 figures from on this machine."""
    ran = [row for row in rows if "images_per_s" in row]
    fastest = {}
    for role, wanted in (("exact", True), ("reduced", False)):
        candidates = [row for row in ran if (row["precision"] == "fp32") == wanted]
        if candidates:
            best = max(candidates, key=lambda row: row["images_per_s"])
            fastest[role] = {key: best[key] for key in ("backend", "precision", "images_per_s", "vs_reference",
                                                             "gflops", "peak_share", "peak_share_void")
                              if key in best}
    chosen = next((row for row in ran if row["backend"] == chosen_exact), None)
    fastest["full_size_backend"] = chosen_exact
    if chosen and "exact" in fastest:
        share = chosen["images_per_s"] / fastest["exact"]["images_per_s"]
        fastest["full_size_backend_share_of_fastest"] = share
        # within the table's own spread (a few % between runs): only a clearly slower choice is worth saying
        fastest["agrees"] = share >= 0.95
    return fastest
