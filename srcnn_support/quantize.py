"""Quantized variants of the exported model, built as cached artifacts.

INT8: ONNX Runtime static quantization, QDQ format, u8 activations / s8 per-channel weights,
calibrated on training images only, with bias correction (Nagel et al. 2019): rounding conv2's
weights shifts its mean output by ``sum((W_q - W) * E[input])``, which costs about 0.3 dB on Set5;
subtracting that shift from conv2's bias brings the loss under 0.05 dB. Only ``conv2`` (64->32,
5x5: 90% of the multiply-adds) is quantized. Profiling ONNX Runtime 1.32 on this model showed why: its int8 kernel runs conv2 3.8x
faster than fp32, but runs conv1 (one input channel) 2x and conv3 (one output channel) 2x *slower*
than the fp32 NCHWc kernels, so quantizing all three barely beats fp32 while conv2-only does.
FP16: weights and compute in float16 with float32 I/O (``keep_io_types``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .cache import ArtifactCache, code_version, sha256_file
from .errors import MissingRuntimeError
from .export import INPUT_NAME
from .imaging import degrade, guide_crop, list_images, load_rgb, network_input

QUANT_CODE_MODULES = ("quantize", "imaging")
CALIBRATION_IMAGES = 24
INT8_QUANTIZED_NODES = ("/conv2/Conv",)


def calibration_files(train_dir: Path, count: int = CALIBRATION_IMAGES) -> list[Path]:
    """An even spread over the (name-sorted) training images: deterministic, no test images."""
    files = list_images(train_dir)
    step = max(1, len(files) // count)
    return files[::step][:count]


def calibration_planes(files: list[Path]) -> list[np.ndarray]:
    return [network_input(degrade(guide_crop(load_rgb(f)))) for f in files]


def _quantize(fp32, out: Path, planes: list[np.ndarray]) -> None:
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._feeds = iter([{INPUT_NAME: p[None, None]} for p in planes])

        def get_next(self):
            return next(self._feeds, None)

    source = out.with_suffix(".fp32-input.onnx")
    onnx.save(fp32, str(source))
    try:
        convs = [n.name for n in fp32.graph.node if n.op_type == "Conv"]
        quantize_static(str(source), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax,
                        nodes_to_exclude=[n for n in convs if n not in INT8_QUANTIZED_NODES])
    finally:
        source.unlink(missing_ok=True)


def _initializer(model, name: str) -> np.ndarray:
    from onnx import numpy_helper

    return numpy_helper.to_array(next(i for i in model.graph.initializer if i.name == name))


def _set_initializer(model, name: str, value: np.ndarray) -> None:
    from onnx import numpy_helper

    for i, init in enumerate(model.graph.initializer):
        if init.name == name:
            model.graph.initializer[i].CopyFrom(numpy_helper.from_array(value.astype(np.float32), name))
            return
    raise KeyError(name)


def dequantized_weight(qdq_model, weight_name: str) -> np.ndarray:
    """conv2's weights exactly as the INT8 model will use them (int8 x per-channel scale)."""
    node = next(n for n in qdq_model.graph.node if n.op_type == "DequantizeLinear" and n.input[0].startswith(weight_name))
    q = _initializer(qdq_model, node.input[0]).astype(np.float64)
    scale = _initializer(qdq_model, node.input[1]).astype(np.float64)
    zero = _initializer(qdq_model, node.input[2]).astype(np.float64) if len(node.input) > 2 else np.zeros_like(scale)
    shape = (-1,) + (1,) * (q.ndim - 1)
    return (q - zero.reshape(shape)) * scale.reshape(shape)


def conv1_mean_activation(model, planes: list[np.ndarray]) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    w1 = torch.from_numpy(np.array(_initializer(model, "conv1.weight")))
    b1 = torch.from_numpy(np.array(_initializer(model, "conv1.bias")))
    total = torch.zeros(w1.shape[0], dtype=torch.float64)
    with torch.no_grad():
        for plane in planes:
            a1 = F.relu(F.conv2d(torch.from_numpy(plane)[None, None], w1, b1, padding=w1.shape[-1] // 2))
            total += a1.double().mean(dim=(0, 2, 3))
    return (total / len(planes)).numpy()


def build_int8(fp32_onnx: Path, out: Path, files: list[Path]) -> None:
    import onnx

    planes = calibration_planes(files)
    model = onnx.load(str(fp32_onnx))
    _quantize(model, out, planes)  # first pass: learn how ONNX Runtime rounds conv2's weights
    w2 = _initializer(model, "conv2.weight").astype(np.float64)
    error = dequantized_weight(onnx.load(str(out)), "conv2.weight") - w2
    shift = (error.sum(axis=(2, 3)) * conv1_mean_activation(model, planes)[None, :]).sum(axis=1)
    _set_initializer(model, "conv2.bias", _initializer(model, "conv2.bias") - shift)
    _quantize(model, out, planes)  # same weights, corrected bias


def build_fp16(fp32_onnx: Path, out: Path) -> None:
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    onnx.save(convert_float_to_float16(onnx.load(str(fp32_onnx)), keep_io_types=True), str(out))


def quantized_model(cache: ArtifactCache, fp32_onnx: Path, precision: str, calibration_dir: Path | None) -> Path:
    import onnxruntime

    parts = {"onnx_sha256": sha256_file(fp32_onnx), "precision": precision, "onnxruntime": onnxruntime.__version__,
             "code": code_version(QUANT_CODE_MODULES)}
    name = f"srcnn_x2_{precision}.onnx"
    if precision == "fp16":
        return cache.get_or_build("quantized", parts, lambda tmp: build_fp16(fp32_onnx, tmp / name)) / name
    if precision != "int8":
        raise ValueError(f"unknown precision {precision!r}")
    if calibration_dir is None or not Path(calibration_dir).is_dir():
        raise MissingRuntimeError("onnxruntime-int8", f"INT8 calibration images not found at {calibration_dir} "
                                  "(set SRCNN_DATA_ROOT to the folder holding train/, or --calibration-dir)")
    files = calibration_files(Path(calibration_dir))
    parts.update({"calibration": [sha256_file(f) for f in files], "nodes": list(INT8_QUANTIZED_NODES),
                  "bias_correction": True})
    return cache.get_or_build("quantized", parts, lambda tmp: build_int8(fp32_onnx, tmp / name, files)) / name
