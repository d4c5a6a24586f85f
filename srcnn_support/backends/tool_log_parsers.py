"""Parsers for the inference tools' printed figures, and the one throughput formula applied to them.

Formula used everywhere: compute images/s = batch_size x 1000 / mean compute latency (ms), where
the latency is that of one call on a batch. ``trtexec`` reports batches per second ("qps"), so
its figures are converted, never copied. End-to-end images/s (with host transfers) is reported
beside it where the tool prints one.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from srcnn_support.errors import SrcnnGateError

_NUMBER = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"


@dataclass(frozen=True)
class ToolFigure:
    tool: str
    batch_size: int
    compute_fps: float  # images per second of compute, per chip / device
    mean_latency_ms: float | None = None
    median_latency_ms: float | None = None
    p99_latency_ms: float | None = None
    end_to_end_fps: float | None = None


def images_per_second(batch_size: int, mean_latency_ms: float) -> float:
    if mean_latency_ms <= 0:
        raise ValueError(f"latency must be positive, got {mean_latency_ms} ms")
    return batch_size * 1000.0 / mean_latency_ms


def _need(match, source: str, what: str):
    if not match:
        raise SrcnnGateError(source, f"no {what} found in the log")
    return match


# Stage names of the dataset run's perf file: older builds print [infer]/[post], 310P builds [inference]/[postprocess].
_INFER_STAGES = ("infer", "inference")


def parse_perf_vision_file(text: str, batch_size: int = 1, source: str = "perf_vision file") -> ToolFigure:
    """``result/perf_vision_batchsize_{B}_device_{D}.txt`` of a dataset run: five stage lines.

    ``[infer] throughputRate: a, Interface throughputRate: X, moduleLatency: m`` (``[inference]`` on
    310P builds): X is the chip's inference rate the guide multiplies by 4 for an Atlas 300I card;
    ``[e2e] throughputRate`` is the tool's whole-pipeline rate. ``moduleLatency`` is per image.
    """
    stages = {m[1]: m[2] for m in re.finditer(r"^\s*\[(\w[\w ]*)\]\s*(.*)$", text, re.MULTILINE)}
    infer = _need(next((stages[s] for s in _INFER_STAGES if s in stages), None), source,
                  "'[infer]' or '[inference]' line")
    interface = _need(re.search(r"Interface throughputRate:\s*" + _NUMBER, infer), source, "Interface throughputRate")
    e2e = re.search(r"throughputRate:\s*" + _NUMBER, stages.get("e2e", ""))
    module = re.search(r"moduleLatency:\s*" + _NUMBER, infer)
    return ToolFigure("benchmark", batch_size, float(interface[1]),
                      mean_latency_ms=float(module[1]) if module else None,
                      end_to_end_fps=float(e2e[1]) if e2e else None)


parse_benchmark_dataset_log = parse_perf_vision_file  # the tool prints the same lines it writes


def parse_pure_infer_file(text: str, batch_size: int, source: str = "PureInfer file") -> ToolFigure:
    """``result/PureInfer_perf_of_{om}_in_device_{D}.txt`` (``ave_throughputRate = Xsamples/s, ...``)
    or the tool's printed summary (``[INFO] ave_throughputRate: Xsamples/s, ...``).

    ``ave_throughputRate`` is samples/s per chip; ``ave_latency`` is per sample (1000 / rate).
    """
    rate = _need(re.search(r"ave_throughputRate\s*[:=]\s*" + _NUMBER, text), source, "ave_throughputRate")
    latency = re.search(r"ave_latency\s*[:=]\s*" + _NUMBER, text)
    return ToolFigure("benchmark", batch_size, float(rate[1]),
                      mean_latency_ms=float(latency[1]) * batch_size if latency else None)


parse_benchmark_perf_file = parse_pure_infer_file


_STAT_PAIR = re.compile(r"(min|max|mean|median|percentile\((\d+(?:\.\d+)?)%\))\s*=\s*" + _NUMBER)


def _stats_line(text: str, label: str) -> dict[str, float] | None:
    """``<label>: min = a, max = b, mean = c, median = d, percentile(99%) = e`` (units optional)."""
    line = re.search(re.escape(label) + r"[^\n]*", text)
    if not line:
        return None
    stats = {}
    for match in _STAT_PAIR.finditer(line[0]):
        key = f"p{match[2]}" if match[2] else match[1]
        stats[key] = float(match[3])
    return stats if "mean" in stats else None


_AIS_THROUGHPUT = re.compile(r"throughput\s*(?:1000\s*\*\s*batchsize\.mean\((?P<batch>\d+(?:\.\d+)?)\)"
                             r"/NPU_compute_time\.mean\([^)]*\)|\(1000\s*\*\s*batchsize\s*/\s*NPU_compute_time\)):\s*"
                             + _NUMBER)


def parse_ais_bench_summary(text: str, batch_size: int | None = None, source: str = "ais_bench log") -> ToolFigure:
    """ais_bench's Performance Summary: ``NPU_compute_time (ms): min = .., mean = .., ...`` per batch.

    Two throughput lines exist: ais_bench's ``throughput 1000*batchsize.mean(B)/NPU_compute_time.mean(T): X``
    and the older ais_infer's ``throughput (1000*batchsize/NPU_compute_time): X``. The figure is
    recomputed from the compute mean when that line is there, else the printed throughput is taken.
    """
    compute = _stats_line(text, "NPU_compute_time (ms):")
    throughput = re.search(_AIS_THROUGHPUT, text)
    _need(compute or throughput, source, "NPU_compute_time line or ais_bench throughput line")
    if batch_size is None:
        batch_size = int(float(throughput["batch"])) if throughput and throughput["batch"] else 1
    if compute is None:
        fps = float(throughput[2])
        return ToolFigure("ais_bench", batch_size, fps, batch_size * 1000.0 / fps)
    mean_ms = compute["mean"]
    e2e = None
    h2d, d2h = _stats_line(text, "H2D_latency (ms):"), _stats_line(text, "D2H_latency (ms):")
    if h2d and d2h:
        e2e = images_per_second(batch_size, mean_ms + h2d["mean"] + d2h["mean"])
    return ToolFigure("ais_bench", batch_size, images_per_second(batch_size, mean_ms), mean_ms,
                      compute.get("median"), compute.get("p99"), e2e)


def parse_ais_bench_json(text: str, source: str = "ais_bench summary JSON") -> ToolFigure:
    """ais_bench's ``{output}/{date-time}_summary.json`` (``{output_dirname}_summary.json``; the older ais_infer
    wrote ``sumary.json``): Ascend/tools ``ais-bench_workload/tool/ais_bench/ais_bench/infer/summary.py``
    (commit 9d6da90f) ``Summary.report`` dumps ``infodict``: ``NPU_compute_time`` / ``H2D_latency`` /
    ``D2H_latency`` as ``{"min", "max", "mean", "median", "percentile(99%)", "count"}`` (ms), ``throughput``
    (``1000*batchsize/NPU_compute_time.mean``, images/s), ``args`` (``sys.argv``), ``npu_compute_time_list``,
    ``pid``. The figure is that ``throughput``; the batch size is ``throughput x mean / 1000`` (no key holds it)."""
    try:
        info = json.loads(text)
    except ValueError as exc:
        raise SrcnnGateError(source, f"incomplete ais_bench summary JSON (cut?): {exc}") from None
    compute = info.get("NPU_compute_time") if isinstance(info, dict) else None
    throughput = info.get("throughput") if isinstance(info, dict) else None
    mean_ms = compute.get("mean") if isinstance(compute, dict) else None
    if not isinstance(mean_ms, (int, float)) or not isinstance(throughput, (int, float)):
        raise SrcnnGateError(source, "incomplete ais_bench summary JSON: no numeric 'throughput' and "
                                     "'NPU_compute_time' mean")
    if throughput <= 0 or mean_ms <= 0:
        raise SrcnnGateError(source, f"ais_bench summary JSON times no inference (throughput {throughput}, "
                                     f"NPU_compute_time mean {mean_ms} ms)")
    batch = throughput * mean_ms / 1000.0
    if abs(batch - round(batch)) > 1e-3 or round(batch) < 1:
        raise SrcnnGateError(source, f"ais_bench summary JSON: throughput x NPU_compute_time mean / 1000 = {batch:g}, "
                                     "not a whole batch size")
    means = [info.get(k, {}).get("mean") for k in ("H2D_latency", "D2H_latency") if isinstance(info.get(k), dict)]
    e2e = None
    if len(means) == 2 and all(isinstance(m, (int, float)) and m > 0 for m in means):
        e2e = images_per_second(round(batch), mean_ms + sum(means))
    return ToolFigure("ais_bench", round(batch), float(throughput), float(mean_ms), compute.get("median"),
                      compute.get("percentile(99%)"), e2e)


def _trtexec_summary_line(text: str, label: str) -> dict[str, float] | None:
    """A ``=== Performance summary ===`` line of trtexec 8.x/10/11 (sampleReporting.cpp ``toPerfString``):
    ``[date] [I] <label>: min = a ms, max = b ms, mean = c ms, median = d ms, percentile(90%) = e ms, ...``.
    Anchored at the line start so that ``Total GPU Compute Time:`` is never read as ``GPU Compute Time:``."""
    line = re.search(r"^(?:\[[^\]\n]*\]\s*)*" + re.escape(label) + r"[^\n]*", text, re.MULTILINE)
    if not line:
        return None
    stats = {f"p{m[2]}" if m[2] else m[1]: float(m[3]) for m in _STAT_PAIR.finditer(line[0])}
    return stats if "mean" in stats else None


def parse_trtexec_log(text: str, batch_size: int, source: str = "trtexec log") -> ToolFigure:
    """trtexec's GPU compute latency per query (one batch): the ``GPU Compute Time:`` summary line of
    TensorRT 7.1+/8.6/10/11, else TensorRT 7's ``[I] GPU Compute`` block of ``[I] mean: X ms`` lines.
    ``Latency`` (H2D + compute + D2H; compute alone on 11, whose data transfers are off by default)
    gives the end-to-end figure."""
    new = _trtexec_summary_line(text, "GPU Compute Time:")
    if new:
        mean_ms, median_ms, p99_ms = new["mean"], new.get("median"), new.get("p99")
    else:
        block = _need(re.search(r"\]\s*GPU Compute\s*$(.*?)(?:total compute time|\Z)", text, re.MULTILINE | re.DOTALL),
                      source, "'GPU Compute Time' or '[I] GPU Compute' section")[1]
        mean_ms = float(_need(re.search(r"\]\s*mean:\s*" + _NUMBER + r"\s*ms", block), source, "GPU compute mean")[1])
        median = re.search(r"\]\s*median:\s*" + _NUMBER + r"\s*ms", block)
        p99 = re.search(r"\]\s*percentile:\s*" + _NUMBER + r"\s*ms at 99%", block)
        median_ms = float(median[1]) if median else None
        p99_ms = float(p99[1]) if p99 else None
    latency = _trtexec_summary_line(text, "Latency:")
    e2e = images_per_second(batch_size, latency["mean"]) if latency else None
    return ToolFigure("trtexec", batch_size, images_per_second(batch_size, mean_ms), mean_ms, median_ms, p99_ms, e2e)
