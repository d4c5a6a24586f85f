"""The live comparison: the backend's ONNX model (fp32 export or ``--onnx``, and the fp16 / INT8 builds made from it
as ``backends/builders.py`` makes them) run with its layer outputs added, against PyTorch on the same images.
TensorRT (when ``tensorrt`` and ``polygraphy`` are importable and a GPU is there) builds its engines from the same
fp32 model, the way the gate does (``layers/tensorrt.py``)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.cache import ArtifactCache
from srcnn_support.convert import artifacts
from srcnn_support.errors import MissingRuntimeError
from srcnn_support.layers.capture import OnnxCapture, onnx_layers, pytorch_layers
from srcnn_support.layers.comparison import LayerComparison, compare_captured
from srcnn_support.model.network import load_model
from srcnn_support.prepare.prep import PreparedImage

# msit compares one input. Here the first images of the set, at most this many: conv1 alone holds 16.8 MB per
# 256 x 256 image on each side, so BSD68 whole would keep 6.6 GB of layers in memory.
MAX_IMAGES = 8
LIVE_BACKENDS = {"onnxruntime": "fp32", "onnxruntime-fp16": "fp16", "onnxruntime-int8": "int8", "tensorrt": "fp16"}


def backend_model(backend: str, cache: ArtifactCache, weights: Path, onnx: Path | None,
                  calibration_dir: Path | None) -> Path:
    """The ONNX file the backend runs: the same cached artifacts the gate's runners use."""
    from srcnn_support.convert.quantize import quantized_model

    if backend not in LIVE_BACKENDS:
        raise MissingRuntimeError(backend, "no live layer-by-layer comparison here (live: "
                                           f"{', '.join(LIVE_BACKENDS)}); for an .om give its msit result CSV "
                                           "or its operator dumps")
    fp32 = artifacts.given_onnx(onnx) if onnx is not None else artifacts.onnx_model(cache, weights, None)
    precision = LIVE_BACKENDS[backend]
    if precision == "fp32" or backend == "tensorrt":  # TensorRT's fp16 is decided where its engine is built
        return fp32
    return quantized_model(cache, fp32, precision, calibration_dir)


def planes_of(images: list[PreparedImage]) -> np.ndarray:
    """The network inputs of the compared images (the first ``MAX_IMAGES``)."""
    return np.stack([image.network_input[None] for image in images[:MAX_IMAGES]]).astype(np.float32)


def reference_layers(weights: Path, images: list[PreparedImage]) -> dict[str, np.ndarray]:
    return pytorch_layers(load_model(weights), planes_of(images))


def compare_live(backend: str, model: Path, images: list[PreparedImage], reference: dict[str, np.ndarray],
                 threads: int | None = None, cache: ArtifactCache | None = None, device: int = 0) -> LayerComparison:
    names, planes = [image.name for image in images[:MAX_IMAGES]], planes_of(images)
    if backend == "tensorrt":
        return compare_capture(backend, LIVE_BACKENDS[backend], _tensorrt_capture(cache, model, planes, device), names,
                               reference)
    return compare_onnx(backend, LIVE_BACKENDS[backend], model, names, planes, reference, threads)


def compare_onnx(label: str, precision: str, model: Path, names: list[str], planes: np.ndarray,
                 reference: dict[str, np.ndarray], threads: int | None = None) -> LayerComparison:
    """``model`` run on ``planes`` (N x 1 x H x W) with its layer outputs added, against PyTorch's ``reference``."""
    return compare_capture(label, precision, onnx_layers(model, planes, threads), names, reference)


def compare_capture(label: str, precision: str, capture: OnnxCapture, names: list[str],
                    reference: dict[str, np.ndarray]) -> LayerComparison:
    change = float(np.abs(capture.unmodified_output - capture.layers["conv3"]).max())
    compared_at = {layer: boundary.golden for layer, boundary in capture.boundaries.items()}
    return compare_captured(label, precision, reference, capture.layers, compared_at, names, change)


def _tensorrt_capture(cache: ArtifactCache, fp32: Path, planes: np.ndarray, device: int) -> OnnxCapture:
    from srcnn_support.convert.trt_api_build import tensorrt_module
    from srcnn_support.convert.trt_engine import EngineRequest, model_for
    from srcnn_support.convert.trtexec import version_from_string
    from srcnn_support.layers.tensorrt import tensorrt_layers

    trt = tensorrt_module()
    if trt is None:
        raise MissingRuntimeError("tensorrt", "python package 'tensorrt' is not importable (the layer comparison "
                                              "builds its engines through the Python API)")
    request = EngineRequest(fp32, "fp16", "python", version_from_string(trt.__version__), device)
    model, fp16_flag = model_for(cache, request)
    return tensorrt_layers(model, fp16_flag, planes, device)
