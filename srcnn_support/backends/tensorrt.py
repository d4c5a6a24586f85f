"""TensorRT runners: the Python API with Polygraphy's CUDA buffers, else ``trtexec`` on PATH.

Either way the engine is built once, outside the runner, by ``trt_engine.engine`` (cached). The
runner loads it on ``activate`` on the device it was given, runs batches inside the engine's
profile (batch 1-64 at 256 x 256) and, for the perf gate, reports the tool's own GPU compute
figure (``tool_figure``): CUDA events around ``execute_async_v3``, or trtexec's
``GPU Compute Time`` mean over a run of the saved engine.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from srcnn_support.backends.base import Runner, RunnerInfo
from srcnn_support.backends.tensorrt_api import cuda_device_count
from srcnn_support.backends.tool_log_parsers import ToolFigure, parse_trtexec_log
from srcnn_support.convert.trt_api_build import polygraphy_cuda, tensorrt_module
from srcnn_support.convert.trt_engine import MAX_BATCH, PROFILE
from srcnn_support.convert.trtexec import run_trtexec, shape_text
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME


def python_api_available() -> bool:
    return tensorrt_module() is not None and polygraphy_cuda() is not None and cuda_device_count() > 0


def missing_tensorrt_runtime() -> str | None:
    if python_api_available() or shutil.which("trtexec"):
        return None
    parts = []
    if tensorrt_module() is None:
        parts.append("python package 'tensorrt' is not importable")
    elif polygraphy_cuda() is None:
        parts.append("python package 'polygraphy' (CUDA buffers) is not importable")
    else:
        parts.append("'tensorrt' is importable but libcudart sees no CUDA device")
    parts.append("no 'trtexec' on PATH")
    return "no TensorRT runtime: " + " and ".join(parts)


def check_in_profile(batch: np.ndarray) -> None:
    """Refuse a shape the engine's profile does not cover, before any tool sees it."""
    low, high = PROFILE[0], PROFILE[2]
    if not all(lo <= d <= hi for lo, d, hi in zip(low, batch.shape, high, strict=False)):
        raise SrcnnGateError("tensorrt", f"input shape {batch.shape} is outside the engine's profile "
                             f"{tuple(low)}..{tuple(high)} (batch 1-{MAX_BATCH}, fixed 256 x 256)")


class TensorRTRunner(Runner):
    """The Python API on a cached engine (``tensorrt`` and ``polygraphy`` importable)."""

    name = "tensorrt"

    def __init__(self, engine_path: Path, precision: str, version: str, device: int = 0) -> None:
        super().__init__()
        self.engine_path, self.precision, self.version, self.device = Path(engine_path), precision, version, device
        self._session = None

    def activate_impl(self) -> None:
        from srcnn_support.backends.tensorrt_api import ApiSession

        self._session = ApiSession(self.engine_path, self.device)

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        check_in_profile(batch)
        return self._session.run(batch)

    def tool_figure(self, batch: np.ndarray) -> ToolFigure:
        check_in_profile(batch)
        return self._session.gpu_compute(batch)

    def deactivate_impl(self) -> None:
        if self._session is not None:
            self._session.close()
        self._session = None

    def info(self) -> RunnerInfo:
        return RunnerInfo(self.name, self.precision, {"tensorrt": self.version},
                          {"via": "tensorrt python API + polygraphy.cuda", "engine": str(self.engine_path),
                           "device": str(self.device)})


# The runs on a saved engine (NVIDIA/TensorRT ``sampleOptions.cpp``, ``sampleInference.cpp`` at v8.6.1, v10.16, v11.1):
# the timing loop runs while ``i < iterations`` *or* ``elapsed < duration*1000 + warmUp`` (defaults 10 iterations,
# 3 s, 200 ms), so ``--iterations`` is a minimum and timing passes ``--duration=0``. ``--loadInputs=name:file``
# reads raw bytes of the tensor's type (size checked against the binding); ``--exportOutput=file`` writes
# ``[{"name", "dimensions": "1x1x256x256", "values": [..]}]`` with C++ stream formatting (6 significant digits).
# On 11, where data transfers are off by default, loaded inputs are copied to the device once (``setInputData``)
# and outputs fetched for the export (``fetchOutputData``), so the same options serve 8.6, 10 and 11.
def infer_args(engine_path: Path, input_name: str, shape: tuple[int, ...], inputs: Path, outputs: Path,
               device: int) -> list[str]:
    """One inference on given inputs, outputs exported as JSON (same options on 8.6, 10 and 11)."""
    return [f"--loadEngine={engine_path}", f"--shapes={input_name}:{shape_text(shape)}",
            f"--loadInputs={input_name}:{inputs}", f"--exportOutput={outputs}",
            "--iterations=1", "--warmUp=0", "--duration=0", f"--device={device}"]


def timing_args(engine_path: Path, input_name: str, shape: tuple[int, ...], device: int,
                iterations: int = 200, warmup_ms: int = 200) -> list[str]:
    """Time the saved engine: exactly ``iterations`` timed queries after ``warmup_ms`` (``--duration=0``)."""
    return [f"--loadEngine={engine_path}", f"--shapes={input_name}:{shape_text(shape)}",
            f"--iterations={iterations}", f"--warmUp={warmup_ms}", "--duration=0", f"--device={device}"]


class TrtexecRunner(Runner):
    """``trtexec --loadEngine`` on the cached engine: inputs by ``--loadInputs``, outputs by ``--exportOutput``."""

    name = "tensorrt"

    def __init__(self, engine_path: Path, precision: str, version: str, device: int = 0) -> None:
        super().__init__()
        self.engine_path, self.precision, self.version, self.device = Path(engine_path), precision, version, device
        self._trtexec: str | None = None
        self.last_log: str | None = None

    def activate_impl(self) -> None:
        trtexec = shutil.which("trtexec")
        if not trtexec:
            raise MissingRuntimeError(self.name, "no 'trtexec' on PATH")
        self._trtexec = trtexec

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        check_in_profile(batch)
        with tempfile.TemporaryDirectory(prefix="srcnn-trtexec-") as tmp:
            source, exported = Path(tmp) / "input.bin", Path(tmp) / "output.json"
            source.write_bytes(batch.astype("<f4").tobytes())
            run_trtexec(self._trtexec, infer_args(self.engine_path, INPUT_NAME, batch.shape, source, exported,
                                                  self.device))
            return read_exported_output(exported, batch.shape)

    def tool_figure(self, batch: np.ndarray) -> ToolFigure:
        check_in_profile(batch)
        self.last_log = run_trtexec(self._trtexec, timing_args(self.engine_path, INPUT_NAME, batch.shape, self.device))
        return parse_trtexec_log(self.last_log, batch.shape[0], source=f"{self._trtexec} --loadEngine log")

    def info(self) -> RunnerInfo:
        return RunnerInfo(self.name, self.precision, {"tensorrt (trtexec)": self.version},
                          {"via": "trtexec --loadEngine", "engine": str(self.engine_path), "device": str(self.device)})


def read_exported_output(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    """trtexec's ``--exportOutput`` JSON: a list of ``{"name", "dimensions": "AxBxCxD", "values"}``, one per output."""
    try:
        tensors = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise SrcnnGateError(path, f"trtexec wrote no readable --exportOutput JSON ({exc})") from None
    if not isinstance(tensors, list) or len(tensors) != 1:
        raise SrcnnGateError(
            path, f"expected exactly one output tensor, found {len(tensors) if isinstance(tensors, list) else 'none'}"
        )
    tensor = tensors[0]
    dims = tuple(int(d) for d in str(tensor.get("dimensions", "")).split("x") if d)
    if dims != tuple(shape):
        raise SrcnnGateError(path, f"output '{tensor.get('name')}' has dimensions {dims}, expected {tuple(shape)}")
    return np.asarray(tensor["values"], dtype=np.float32).reshape(shape)


def tensorrt_runner(cache, fp32_onnx: Path, device: int = 0, precision: str = "fp16") -> Runner:
    """Build (or reuse) the engine for this TensorRT and GPU, and the runner that loads it."""
    from srcnn_support.convert.trt_engine import EngineRequest, engine
    from srcnn_support.convert.trtexec import find_trtexec, trtexec_version, version_from_string

    if python_api_available():
        version = version_from_string(tensorrt_module().__version__)
        plan = engine(cache, EngineRequest(Path(fp32_onnx), precision, "python", version, device))
        return TensorRTRunner(plan, precision, str(version), device)
    version = trtexec_version(find_trtexec())
    plan = engine(cache, EngineRequest(Path(fp32_onnx), precision, "trtexec", version, device))
    return TrtexecRunner(plan, precision, str(version), device)
