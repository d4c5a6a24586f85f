"""NVIDIA ``trtexec``: its version, building an engine with it on TensorRT 8.6, 10 and 11, and running it.

Checked against NVIDIA/TensorRT ``samples/common/sampleOptions.{h,cpp}``, ``sampleInference.cpp``,
``sampleReporting.cpp`` and ``logging.h`` at tags v8.6.1, v10.16 and v11.1 (main):

- every run first prints ``&&&& RUNNING TensorRT.trtexec [TensorRT v<N>] # <command line>``
  (11 and late 10 append `` [b<build>]``); ``N`` is ``major*1000 + minor*100 + patch`` up to 8.6
  (``v8601``) and ``major*10000 + minor*100 + patch`` from 10 (``v100100`` = 10.1.0);
- ``--fp16`` exists on 8.6 and 10 (10 calls it deprecated) and is gone on 11, whose networks are
  strongly typed: fp16 comes from an fp16 ONNX model; an unknown option fails with
  ``Unknown option: --fp16``.

The options of the runs on a saved engine (one inference, timing) are the runners': ``backends/tensorrt.py``.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.tools import QUERY_TIMEOUT_S, ToolError, job_timeout_s, run_tool

_BANNER = re.compile(r"&&&& RUNNING TensorRT\.trtexec \[TensorRT v(\d+)\]")


@dataclass(frozen=True)
class TrtVersion:
    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @property
    def has_fp16_flag(self) -> bool:
        """BuilderFlag.FP16 / ``--fp16``: present up to 10, removed with strong typing in 11."""
        return self.major < 11

    @property
    def needs_explicit_batch_flag(self) -> bool:
        """``create_network(0)`` is implicit batch before 10; explicit batch is the only mode from 10."""
        return self.major < 10


def version_from_number(number: int) -> TrtVersion:
    """``NV_TENSORRT_VERSION``: 8601 -> 8.6.1 (x1000 scheme up to 8.x), 100100 -> 10.1.0 (x10000 from 10)."""
    if number >= 100000:
        return TrtVersion(number // 10000, number // 100 % 100, number % 100)
    return TrtVersion(number // 1000, number // 100 % 10, number % 100)


def version_from_string(text: str) -> TrtVersion:
    """``tensorrt.__version__`` such as ``10.1.0`` or ``8.6.1.post1``."""
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]] + [0, 0, 0]
    return TrtVersion(*parts[:3])


def parse_banner(text: str, source: str = "trtexec") -> TrtVersion:
    match = _BANNER.search(text)
    if not match:
        raise SrcnnGateError(source, "no '&&&& RUNNING TensorRT.trtexec [TensorRT v...]' banner in its output")
    return version_from_number(int(match[1]))


def find_trtexec() -> str:
    path = shutil.which("trtexec")
    if not path:
        raise MissingRuntimeError("tensorrt", "no 'trtexec' on PATH")
    return path


def run_trtexec(trtexec: str, args: list[str], timeout_s: float | None = None) -> str:
    """Run trtexec (through ``tools.run_tool``: timeout, process group killed); its whole log on
    success, else a one-line error quoting its ``[E]`` lines."""
    result = run_tool([trtexec, *args], timeout_s or job_timeout_s(), check=False)
    log = result.stdout + result.stderr
    if result.returncode != 0:
        errors = [line for line in log.splitlines() if "[E]" in line] or log.strip().splitlines()[-1:]
        raise ToolError("trtexec", f"exited with {result.returncode}: {' | '.join(errors[-3:])} ({' '.join(args)})")
    return log


def trtexec_version(trtexec: str) -> TrtVersion:
    """From the banner every run prints first, before the options are parsed."""
    return parse_banner(run_trtexec(trtexec, ["--help"], timeout_s=QUERY_TIMEOUT_S), trtexec)


def shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def build_args(version: TrtVersion, onnx_path: Path, engine_path: Path, input_name: str,
               profile: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]], fp16_flag: bool,
               device: int) -> list[str]:
    """Build once and save the engine; no inference. ``fp16_flag`` only where ``--fp16`` exists."""
    if fp16_flag and not version.has_fp16_flag:
        raise SrcnnGateError("trtexec", f"TensorRT {version} has no --fp16: give it an fp16 ONNX model instead")
    low, opt, high = profile
    args = [f"--onnx={onnx_path}", f"--saveEngine={engine_path}", f"--minShapes={input_name}:{shape_text(low)}",
            f"--optShapes={input_name}:{shape_text(opt)}", f"--maxShapes={input_name}:{shape_text(high)}",
            "--skipInference", f"--device={device}"]
    return args + (["--fp16"] if fp16_flag else [])
