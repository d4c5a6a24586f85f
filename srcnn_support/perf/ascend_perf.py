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

from srcnn_support.errors import SrcnnGateError
from srcnn_support.perf.toollogs import ToolFigure, images_per_second, parse_perf_vision_file, parse_pure_infer_file
from srcnn_support.prepare.guide_files import Layout, format_info, write_bin
from srcnn_support.tools import job_timeout_s, run_tool

PURE_INFER_ROUNDS = 20  # the guide's ./benchmark -round=20


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


def benchmark_dataset_run(tool: str, om: Path, batch_size: int, device: int, planes: list[np.ndarray],
                          work: Path) -> tuple[ToolFigure, float, Path]:
    """The guide's dataset-mode command over every prepared image; returns (figure, suite e2e fps, file)."""
    bins = []
    for i, plane in enumerate(planes):
        bins.append(work / "bin" / f"image{i:05d}.bin")
        write_bin(bins[-1], plane, Layout.NATURAL)
    height, width = planes[0].shape
    info = work / "prep_bin.info"
    info.write_text(format_info(bins, width, height))
    command = [tool, "-model_type=vision", f"-device_id={device}", f"-batch_size={batch_size}", f"-om_path={om}",
               f"-input_text_path={info}", f"-input_width={width}", f"-input_height={height}",
               "-output_binary=True", "-useDvpp=False"]
    started = time.perf_counter()
    run_tool(command, job_timeout_s(), cwd=work)
    wall = time.perf_counter() - started
    perf_file = work / "result" / f"perf_vision_batchsize_{batch_size}_device_{device}.txt"
    return _read_result(perf_file, parse_perf_vision_file, batch_size), len(planes) / wall, perf_file


def benchmark_pure_infer_run(tool: str, om: Path, batch_size: int, device: int, work: Path) -> ToolFigure:
    command = [
        tool,
        f"-round={PURE_INFER_ROUNDS}",
        f"-om_path={om}",
        f"-device_id={device}",
        f"-batch_size={batch_size}",
    ]
    run_tool(command, job_timeout_s(), cwd=work)
    return _read_result(work / "result" / f"PureInfer_perf_of_{om.stem}_in_device_{device}.txt",
                        parse_pure_infer_file, batch_size)


def benchmark_tool_throughput(tool: str, om: Path, batch_size: int, device: int,
                              planes: list[np.ndarray]) -> ToolThroughput:
    with tempfile.TemporaryDirectory(prefix="srcnn-benchmark-perf-") as tmp:
        figure, suite_fps, perf_file = benchmark_dataset_run(tool, om, batch_size, device, planes, Path(tmp))
        pure = benchmark_pure_infer_run(tool, om, batch_size, device, Path(tmp))
    return ToolThroughput(figure, f"benchmark {perf_file.name}: Interface throughputRate", suite_fps, pure)


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
