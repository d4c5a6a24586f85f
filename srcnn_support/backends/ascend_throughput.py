"""The Ascend throughput figure as the guide takes it: the tool's own, over the whole prepared set.

One ``benchmark`` run per batch size in dataset mode writes ``result/perf_vision_batchsize_{B}_device_{D}.txt``;
its ``Interface throughputRate`` (per chip) is the gated figure, as in the guide ("模型的性能以使用benchmark工具
在整个数据集上推理得到bs1与bs16的性能数据为准"). One pure-inference run (``-round``) is recorded beside it.
With ais_bench, one ``InferSession`` over the set gives the mean NPU compute time per batch
(``summary().exec_time_list``, as ais_bench's own report computes it). The suite's end-to-end
figure (images / wall-clock of the whole run, process start and file I/O included) is recorded, never gated.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from srcnn_support.backends.benchmark_tool import dataset_run, pure_infer_run
from srcnn_support.backends.tool_log_parsers import (
    ToolFigure,
    images_per_second,
    parse_perf_vision_file,
    parse_pure_infer_file,
)
from srcnn_support.errors import SrcnnGateError


@dataclass(frozen=True)
class ToolThroughput:
    gated: ToolFigure  # per chip
    source: str  # which file or API the gated figure came from
    suite_end_to_end_fps: float
    pure_infer: ToolFigure | None = None


def _read_result(path: Path, parse, batch_size: int):
    if not path.is_file():
        raise SrcnnGateError(path, "the benchmark tool did not write this file")
    return parse(path.read_text(), batch_size, str(path))


def benchmark_tool_throughput(tool: str, om: Path, batch_size: int, device: int,
                              planes: list[np.ndarray]) -> ToolThroughput:
    """One dataset-mode run over every prepared image (its perf file is gated) and one pure-inference run."""
    with tempfile.TemporaryDirectory(prefix="srcnn-benchmark-perf-") as tmp:
        run = dataset_run(tool, om, batch_size, device, planes, Path(tmp))
        figure = _read_result(run.perf_file, parse_perf_vision_file, batch_size)
        pure = _read_result(pure_infer_run(tool, om, batch_size, device, Path(tmp)), parse_pure_infer_file, batch_size)
    return ToolThroughput(figure, f"benchmark {run.perf_file.name}: Interface throughputRate", len(planes) / run.wall_s,
                          pure)


def compute_times_ms(session) -> list[float]:
    """Per-call NPU compute times: ``summary().exec_time_list`` holds (start, end) pairs in ms in ais_bench,
    plain durations in older builds, whose ``InferSession`` spells it ``sumary()`` (with ``reset_sumaryinfo``
    and ``finalize``; Ascend/tools ais-bench_workload/tool/ais_bench/ais_bench/infer/interface.py)."""
    summary = getattr(session, "summary", None) or session.sumary
    times = [item[1] - item[0] if isinstance(item, (tuple, list)) else float(item) for item in summary().exec_time_list]
    if not times:
        raise SrcnnGateError("ais_bench", "the session's summary holds no compute times")
    return times


def ais_bench_session_throughput(session, batch_size: int, planes: list[np.ndarray]) -> ToolThroughput:
    """One session over the set in batches (the last one filled by repeating images, as a fixed .om needs)."""
    count = -(-len(planes) // batch_size) * batch_size
    batches = [np.stack([planes[i % len(planes)] for i in range(s, s + batch_size)])[:, None].astype(np.float32)
               for s in range(0, count, batch_size)]
    session.infer([batches[0]], mode="static")  # warm-up, as ais_bench's own --warmup_count 1
    reset = getattr(session, "reset_summaryinfo", None) or getattr(session, "reset_sumaryinfo", None)
    if reset:
        reset()
    started = time.perf_counter()
    for batch in batches:
        session.infer([batch], mode="static")
    wall = time.perf_counter() - started
    exec_ms = compute_times_ms(session)
    mean_ms = statistics.fmean(exec_ms)
    figure = ToolFigure("ais_bench", batch_size, images_per_second(batch_size, mean_ms), mean_ms,
                        statistics.median(exec_ms))
    return ToolThroughput(figure, "ais_bench InferSession summary: mean NPU compute time per batch", count / wall)
