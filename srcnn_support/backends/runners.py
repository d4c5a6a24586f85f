"""Building a runner by backend name, with the artifacts it needs taken from the cache."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from srcnn_support.backends.ascend import AscendOmRunner, missing_ascend_runtime
from srcnn_support.backends.base import Runner
from srcnn_support.backends.cuda import (
    cuda_runner,
    missing_cuda_runtime,
    missing_onnxruntime_cuda,
    onnxruntime_cuda_runner,
)
from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.backends.tensorrt import missing_tensorrt_runtime, tensorrt_runner
from srcnn_support.backends.torch_cuda import TorchCudaGraphRunner, missing_torch_cuda
from srcnn_support.cache import ArtifactCache
from srcnn_support.convert import artifacts
from srcnn_support.convert.atc import DEFAULT_PRECISION_MODE, MISSING_ATC, require_soc_version
from srcnn_support.errors import MissingRuntimeError

TORCH_CUDA_BACKENDS = ("torch-cuda-fp16", "torch-cuda-tf32")


@dataclass(frozen=True)
class RunnerOptions:
    soc_version: str | None = None
    precision_mode: str = DEFAULT_PRECISION_MODE
    device_id: int = 0
    threads: int | None = None
    calibration_dir: Path | None = None
    given_om: tuple[tuple[int, Path], ...] = ()  # --om: used instead of building with ATC
    onnx: Path | None = None  # --onnx: the user's own model, gated instead of one exported from the weights


@dataclass
class BuiltRunner:
    runner: Runner
    fixed_batch: bool


def make_runner(backend: str, cache: ArtifactCache, weights: Path, batch_size: int,
                options: RunnerOptions = RunnerOptions()) -> BuiltRunner:
    if backend == "pytorch":
        return BuiltRunner(PyTorchRunner(weights, options.threads), False)
    if backend == "onnxruntime":
        return BuiltRunner(OnnxRuntimeRunner(_model(cache, weights, None, options), threads=options.threads), False)
    if backend in ("onnxruntime-fp16", "onnxruntime-int8"):
        from srcnn_support.convert.quantize import quantized_model

        precision = backend.rsplit("-", 1)[1]
        model = quantized_model(cache, _model(cache, weights, None, options), precision, options.calibration_dir)
        return BuiltRunner(OnnxRuntimeRunner(model, threads=options.threads, precision=precision, name=backend), False)
    if backend == "ascend-om":
        _require(backend, missing_ascend_runtime())
        if options.given_om:
            return BuiltRunner(_given_om_runner(dict(options.given_om), batch_size, options), True)
        soc = require_soc_version(options.soc_version)
        onnx_path = _model(cache, weights, batch_size, options)
        om = artifacts.om_model(cache, onnx_path, batch_size, soc, options.precision_mode)
        return BuiltRunner(AscendOmRunner(om, batch_size, options.device_id, options.precision_mode), True)
    if backend == "tensorrt":
        _require(backend, missing_tensorrt_runtime())
        return BuiltRunner(tensorrt_runner(cache, _model(cache, weights, None, options), options.device_id), False)
    if backend == "cuda":
        _require(backend, missing_cuda_runtime())
        return BuiltRunner(cuda_runner(_model(cache, weights, None, options), weights, options.device_id), False)
    if backend in TORCH_CUDA_BACKENDS:
        _require(backend, missing_torch_cuda())
        precision = backend.rsplit("-", 1)[1]
        return BuiltRunner(TorchCudaGraphRunner(weights, options.device_id, precision), False)
    if backend == "onnxruntime-cuda":
        _require(backend, missing_onnxruntime_cuda())
        return BuiltRunner(onnxruntime_cuda_runner(_model(cache, weights, None, options)), False)
    raise ValueError(f"unknown backend {backend!r}")


def _given_om_runner(given: dict[int, Path], batch_size: int, options: RunnerOptions) -> AscendOmRunner:
    if batch_size not in given:
        raise MissingRuntimeError("ascend-om", f"--om given for batch size(s) {', '.join(map(str, given))} only; "
                                               f"none for batch {batch_size}")
    return AscendOmRunner(given[batch_size], batch_size, options.device_id, options.precision_mode)


def _model(cache: ArtifactCache, weights: Path, batch_size: int | None, options: RunnerOptions) -> Path:
    """The ONNX model a backend is built from: ``--onnx`` as given (checked; ATC fixes its batch through
    ``--input_shape``), else the one exported from the weights (dynamic, or fixed batch for ATC)."""
    if options.onnx is not None:
        return artifacts.given_onnx(options.onnx)
    return artifacts.onnx_model(cache, weights, batch_size)


def _require(backend: str, missing: str | None) -> None:
    if missing:
        raise MissingRuntimeError(backend, missing)


def missing_backend_runtime(backend: str, given_om: bool = False) -> str | None:
    """None when ``backend`` can run here, else what is missing (checked before building artifacts)."""
    if backend == "ascend-om":
        missing = [missing_ascend_runtime(), None if given_om or shutil.which("atc") else MISSING_ATC]
        return "; ".join(m for m in missing if m) or None
    if backend == "tensorrt":
        return missing_tensorrt_runtime()
    if backend == "cuda":
        return missing_cuda_runtime()
    if backend in TORCH_CUDA_BACKENDS:
        return missing_torch_cuda()
    if backend == "onnxruntime-cuda":
        return missing_onnxruntime_cuda()
    return None
