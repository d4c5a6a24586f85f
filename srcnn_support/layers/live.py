"""The live comparison: the backend's ONNX model (fp32 export or ``--onnx``, and the fp16 / INT8 builds made from it
as ``backends/builders.py`` makes them) run with its layer outputs added, against PyTorch on the same images."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.cache import ArtifactCache
from srcnn_support.convert import artifacts
from srcnn_support.errors import MissingRuntimeError
from srcnn_support.layers.capture import onnx_layers, pytorch_layers
from srcnn_support.layers.comparison import LayerComparison, compare_captured
from srcnn_support.model.network import load_model
from srcnn_support.prepare.prep import PreparedImage

LIVE_BACKENDS = {"onnxruntime": "fp32", "onnxruntime-fp16": "fp16", "onnxruntime-int8": "int8"}


def backend_model(backend: str, cache: ArtifactCache, weights: Path, onnx: Path | None,
                  calibration_dir: Path | None) -> Path:
    """The ONNX file the backend runs: the same cached artifacts the gate's runners use."""
    from srcnn_support.convert.quantize import quantized_model

    if backend not in LIVE_BACKENDS:
        raise MissingRuntimeError(backend, "no live layer-by-layer comparison: it runs through ONNX Runtime only "
                                           f"({', '.join(LIVE_BACKENDS)}); for an .om give its msit result CSV "
                                           "or its operator dumps")
    fp32 = artifacts.given_onnx(onnx) if onnx is not None else artifacts.onnx_model(cache, weights, None)
    precision = LIVE_BACKENDS[backend]
    return fp32 if precision == "fp32" else quantized_model(cache, fp32, precision, calibration_dir)


def planes_of(images: list[PreparedImage]) -> np.ndarray:
    return np.stack([image.network_input[None] for image in images]).astype(np.float32)


def reference_layers(weights: Path, images: list[PreparedImage]) -> dict[str, np.ndarray]:
    return pytorch_layers(load_model(weights), planes_of(images))


def compare_live(backend: str, model: Path, images: list[PreparedImage], reference: dict[str, np.ndarray],
                 threads: int | None = None) -> LayerComparison:
    return compare_onnx(backend, LIVE_BACKENDS[backend], model, [image.name for image in images], planes_of(images),
                        reference, threads)


def compare_onnx(label: str, precision: str, model: Path, names: list[str], planes: np.ndarray,
                 reference: dict[str, np.ndarray], threads: int | None = None) -> LayerComparison:
    """``model`` run on ``planes`` (N x 1 x H x W) with its layer outputs added, against PyTorch's ``reference``."""
    capture = onnx_layers(model, planes, threads)
    change = float(np.abs(capture.unmodified_output - capture.layers["conv3"]).max())
    compared_at = {layer: boundary.golden for layer, boundary in capture.boundaries.items()}
    return compare_captured(label, precision, reference, capture.layers, compared_at, names, change)
