"""Recorded tool runs (``--perf-log FILE``): which tool wrote a file, for which batch and device, and its figure.

The NPU step often runs on another machine; the gate then reads what the tool wrote. A file is
recognised by the tool's own file name (``perf_vision_batchsize_{B}_device_{D}.txt``,
``PureInfer_perf_of_{om}_in_device_{D}.txt``) or, for logs of printed output, by its lines
(ais_bench / ais_infer Performance Summary, trtexec's GPU compute statistics); ais_bench's ``*_summary.json``
by its name or JSON content. A log must hold every line its tool always writes, and a batch size it states
must agree with the file name's (``log_contents``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from srcnn_support.backends.tool_log_parsers import (
    ToolFigure,
    parse_ais_bench_json,
    parse_ais_bench_summary,
    parse_perf_vision_file,
    parse_pure_infer_file,
    parse_trtexec_log,
)
from srcnn_support.cache import sha256_file
from srcnn_support.errors import SrcnnGateError
from srcnn_support.perf.log_contents import batch_in_content, missing_lines

_PERF_VISION = re.compile(r"perf_vision_batchsize_(\d+)_device_(\d+)\.txt$")
_PURE_INFER = re.compile(r"PureInfer_perf_of_(.+)_in_device_(\d+)\.txt$")
_BATCH_IN_NAME = re.compile(r"(?:^|[_\-.])bs_?(\d+)(?:[_\-.]|$)")


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


def _kind(path: Path, text: str) -> tuple[str, int | None, int]:
    """(kind, batch size the file name gives or None, device)."""
    vision = _PERF_VISION.search(path.name)
    if vision:
        return "perf_vision", int(vision[1]), int(vision[2])
    pure = _PURE_INFER.search(path.name)
    if pure:
        return "pure_infer", _batch_in_name(pure[1]), int(pure[2])
    batch, device = _batch_in_name(path.stem), _device_from_name(path)
    if path.name.endswith(("summary.json", "sumary.json")) or (text.lstrip().startswith("{")
                                                                 and "NPU_compute_time" in text):
        return "ais_bench_json", batch, device
    if "NPU_compute_time" in text or re.search(r"^\[INFO\] throughput", text, re.MULTILINE):
        return "ais_bench", batch, device
    if "GPU Compute" in text:
        return "trtexec", batch, device
    if "Interface throughputRate" in text:
        return "perf_vision", batch, device
    if "ave_throughputRate" in text:
        return "pure_infer", batch, device
    raise SrcnnGateError(path, "not a benchmark perf file, ais_bench/ais_infer summary (log or JSON) or trtexec log")


def _batch_in_name(name: str) -> int | None:
    match = _BATCH_IN_NAME.search(name)
    return int(match[1]) if match else None


_WHAT = {"perf_vision": "benchmark perf file", "pure_infer": "benchmark pure-inference file",
         "ais_bench": "ais_bench/ais_infer summary", "trtexec": "trtexec log"}


def _batch(path: Path, kind: str, named: int | None, stated: tuple[int, str] | None) -> int:
    """The file name's batch size and the log's own must agree; either alone is used."""
    if named is not None and stated is not None and named != stated[0]:
        raise SrcnnGateError(path, f"batch size {named} in the file name but {stated[0]} in the log ('{stated[1]}')")
    if named is None and stated is None:
        raise SrcnnGateError(path, f"{_WHAT[kind]}: batch size unknown (the log states none; name the file or "
                                   ".om with _bs<N>, e.g. srcnn_x2_bs1)")
    return named if named is not None else stated[0]


def _parse(path: Path, text: str) -> tuple[str, int, ToolFigure]:
    source = str(path)
    kind, named, device = _kind(path, text)
    if kind == "ais_bench_json":
        figure = parse_ais_bench_json(text, source)
        _batch(path, "ais_bench", named, (figure.batch_size, "throughput x NPU_compute_time mean / 1000"))
        return "ais_bench", _json_device(text, device), figure
    missing = missing_lines(kind, text)
    if missing:
        raise SrcnnGateError(path, f"incomplete {_WHAT[kind]} (cut?): no {'; no '.join(missing)}")
    batch = _batch(path, kind, named, batch_in_content(kind, text))
    figure = _PARSERS[kind](text, batch, source)
    if kind == "ais_bench":
        _check_ais_throughput(path, text, figure)
    return kind, device, figure


_PARSERS = {"perf_vision": parse_perf_vision_file, "pure_infer": parse_pure_infer_file,
            "ais_bench": parse_ais_bench_summary, "trtexec": parse_trtexec_log}


def _check_ais_throughput(path: Path, text: str, figure: ToolFigure) -> None:
    """The printed throughput is 1000 x batch / mean (summary.py): another value is a cut or edited line."""
    printed = float(re.findall(r"throughput [^\n]*\): (\S+)\s*$", text, re.MULTILINE)[-1])
    if abs(printed - figure.compute_fps) > 1e-4 * figure.compute_fps:
        raise SrcnnGateError(path, f"ais_bench throughput line reads {printed:g}, but 1000 x batch "
                                   f"{figure.batch_size} / NPU_compute_time mean {figure.mean_latency_ms:g} ms = "
                                   f"{figure.compute_fps:.6g} "
                                   "(cut, edited, or another batch size)")


def _json_device(text: str, default: int) -> int:
    match = re.search(r'"(?:--device|-d)",\s*"(\d+)"', text)
    return int(match[1]) if match else default
