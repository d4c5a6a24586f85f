"""How each backend's runner is built: the artifact it needs from the cache, then the runner over it.

The backend registry (``registry.py``) names one of these per backend; runners run what they are given.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from srcnn_support.backends.ascend import AscendOmRunner, missing_ascend_runtime
from srcnn_support.backends.base import Runner
from srcnn_support.backends.cuda import (
    cuda_runner,
    onnxruntime_cuda_runner,
)
from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.backends.tensorrt import tensorrt_runner
from srcnn_support.backends.torch_cuda import TorchCudaGraphRunner
from srcnn_support.cache import ArtifactCache
from srcnn_support.convert import artifacts
from srcnn_support.convert.atc import DEFAULT_PRECISION_MODE, MISSING_ATC, require_soc_version
from srcnn_support.errors import MissingRuntimeError


@dataclass(frozen=True)
class RunnerOptions:
    soc_version: str | None = None
    precision_mode: str = DEFAULT_PRECISION_MODE
    device_id: int = 0
    threads: int | None = None
    calibration_dir: Path | None = None
    calibration_looked: tuple[str, ...] = ()  # where the calibration folder was looked for, when none was found
    given_om: tuple[tuple[int, Path], ...] = ()  # --om: used instead of building with ATC
    onnx: Path | None = None  # --onnx: the user's own model, gated instead of one exported from the weights


@dataclass
class BuiltRunner:
    runner: Runner
    fixed_batch: bool


def build_pytorch(name, cache, weights, batch_size, options) -> Runner:
    return PyTorchRunner(weights, options.threads)


def build_onnxruntime(name, cache, weights, batch_size, options) -> Runner:
    return OnnxRuntimeRunner(_model(cache, weights, None, options), threads=options.threads)


def build_openvino(name, cache, weights, batch_size, options) -> Runner:
    from srcnn_support.backends.openvino import OpenVinoRunner

    precision = "bf16" if name.endswith("-bf16") else "fp32"
    return OpenVinoRunner(_model(cache, weights, None, options), precision, threads=options.threads, name=name)


def build_onnxruntime_quantized(name, cache, weights, batch_size, options) -> Runner:
    from srcnn_support.convert.quantize import quantized_model

    precision = name.rsplit("-", 1)[1]
    if precision == "int8" and options.calibration_dir is None and options.calibration_looked:
        from srcnn_support.prepare.datasets import calibration_not_found

        raise MissingRuntimeError(name, calibration_not_found(options.calibration_looked))
    model = quantized_model(cache, _model(cache, weights, None, options), precision, options.calibration_dir)
    return OnnxRuntimeRunner(model, threads=options.threads, precision=precision, name=name)


def build_ascend_om(name, cache, weights, batch_size, options) -> Runner:
    if options.given_om:
        return _given_om_runner(dict(options.given_om), batch_size, options)
    soc = require_soc_version(options.soc_version)
    onnx_path = _model(cache, weights, batch_size, options)
    om = artifacts.om_model(cache, onnx_path, batch_size, soc, options.precision_mode)
    return AscendOmRunner(om, batch_size, options.device_id, options.precision_mode)


def build_tensorrt(name, cache, weights, batch_size, options) -> Runner:
    return tensorrt_runner(cache, _model(cache, weights, None, options), options.device_id)


def build_cuda(name, cache, weights, batch_size, options) -> Runner:
    return cuda_runner(_model(cache, weights, None, options), weights, options.device_id)


def build_torch_cuda(name, cache, weights, batch_size, options) -> Runner:
    return TorchCudaGraphRunner(weights, options.device_id, name.rsplit("-", 1)[1])


def build_onnxruntime_cuda(name, cache, weights, batch_size, options) -> Runner:
    return onnxruntime_cuda_runner(_model(cache, weights, None, options))


def missing_ascend_om(given_om: bool) -> str | None:
    missing = [missing_ascend_runtime(), None if given_om or shutil.which("atc") else MISSING_ATC]
    return "; ".join(m for m in missing if m) or None


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
