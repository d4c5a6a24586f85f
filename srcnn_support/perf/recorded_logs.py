"""Recorded tool runs (``--perf-log FILE``): which tool wrote a file, for which batch and device, and its figure.

The NPU step often runs on another machine; the gate then reads what the tool wrote. A file is
recognised by the tool's own file name (``perf_vision_batchsize_{B}_device_{D}.txt``,
``PureInfer_perf_of_{om}_in_device_{D}.txt``) or, for logs of printed output, by its lines
(ais_bench / ais_infer Performance Summary, trtexec's GPU compute statistics).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from srcnn_support.backends.tool_log_parsers import (
    ToolFigure,
    parse_ais_bench_summary,
    parse_perf_vision_file,
    parse_pure_infer_file,
    parse_trtexec_log,
)
from srcnn_support.cache import sha256_file
from srcnn_support.errors import SrcnnGateError

_PERF_VISION = re.compile(r"perf_vision_batchsize_(\d+)_device_(\d+)\.txt$")
_PURE_INFER = re.compile(r"PureInfer_perf_of_(.+)_in_device_(\d+)\.txt$")
_BATCH_IN_NAME = re.compile(r"(?:^|[_\-.])bs_?(\d+)(?:[_\-.]|$)")
_TRTEXEC_SHAPES = re.compile(r"--shapes=[^\s:]+:(\d+)x")


@dataclass(frozen=True)
class RecordedFigure:
    path: Path
    kind: str  # perf_vision | pure_infer | ais_bench | trtexec
    device: int
    figure: ToolFigure
    sha256: str

    @property
    def batch_size(self) -> int:
        return self.figure.batch_size


def _batch_from_name(path: Path, what: str) -> int:
    match = _BATCH_IN_NAME.search(path.stem)
    if not match:
        raise SrcnnGateError(path, f"{what}: batch size unknown (name the file or .om with _bs<N>, e.g. srcnn_x2_bs1)")
    return int(match[1])


def _device_from_name(path: Path) -> int:
    match = re.search(r"device_?(\d+)", path.name)
    return int(match[1]) if match else 0


def read_perf_log(path: str | Path) -> RecordedFigure:
    path = Path(path)
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        raise SrcnnGateError(path, f"cannot read the perf log ({exc.strerror or exc})") from None
    kind, device, figure = _parse(path, text)
    return RecordedFigure(path, kind, device, figure, sha256_file(path))


def _parse(path: Path, text: str) -> tuple[str, int, ToolFigure]:
    source = str(path)
    vision = _PERF_VISION.search(path.name)
    if vision:
        return "perf_vision", int(vision[2]), parse_perf_vision_file(text, int(vision[1]), source)
    pure = _PURE_INFER.search(path.name)
    if pure:
        batch = _batch_from_name(Path(pure[1]), "PureInfer file")
        return "pure_infer", int(pure[2]), parse_pure_infer_file(text, batch, source)
    if "NPU_compute_time" in text or re.search(r"^\[INFO\] throughput", text, re.MULTILINE):
        batch = None if "batchsize.mean(" in text else _batch_from_name(path, "ais_infer summary")
        return "ais_bench", _device_from_name(path), parse_ais_bench_summary(text, batch, source)
    if "GPU Compute" in text:
        shapes = _TRTEXEC_SHAPES.search(text)
        batch = int(shapes[1]) if shapes else _batch_from_name(path, "trtexec log without --shapes")
        return "trtexec", _device_from_name(path), parse_trtexec_log(text, batch, source)
    if "Interface throughputRate" in text:
        return "perf_vision", _device_from_name(path), parse_perf_vision_file(
            text, _batch_from_name(path, "benchmark dataset log"), source)
    if "ave_throughputRate" in text:
        return "pure_infer", _device_from_name(path), parse_pure_infer_file(
            text, _batch_from_name(path, "benchmark pure-inference log"), source)
    raise SrcnnGateError(path, "not a benchmark perf file, ais_bench/ais_infer summary or trtexec log")
