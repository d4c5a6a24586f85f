"""Quantized variants of the exported model, built as cached artifacts.

INT8: ONNX Runtime static quantization, QDQ format, u8 activations / s8 per-channel weights,
calibrated on training images only. What each choice is worth was measured on this model (ONNX
Runtime 1.32, AVX-512 VNNI CPU, project weights; full-size Set5, where fp32 scores 36.398 dB;
"fidelity" is the PSNR of the INT8 output against the fp32 output on Set5 + Set14; speed is batch-1
latency against fp32 in alternating blocks):

- conv2 (64->32, 5x5) holds 90% of the multiply-adds; its int8 kernel is 3x faster than fp32.
  Quantized alone (the first version of this build): 36.347 dB, fidelity 56.2 dB, but only 1.47-1.74x
  fp32 because conv3 then dominates.
- conv3 (32->1, 5x5): ONNX Runtime's int8 convolution with one output channel took 10-12 ms against
  7 ms in fp32; with 16 output channels it takes 3 ms (8 channels: still 12 ms). So conv3 becomes 16
  copies of itself whose outputs a ReduceMean averages (0.7 ms). Plain copies would repeat one int8
  rounding of conv3's weights, which cost 0.36 dB (36.04 dB; a float simulation of the rounding
  alone predicts 0.07 dB, so ONNX Runtime's one-channel int8 path loses more than rounding). Each
  copy is therefore dithered by a different fraction of a quantization step (mean zero, so the fp32
  function is unchanged) and the average cancels the rounding: 36.42 dB. Padding fp32's conv3 the
  same way does not speed fp32 up (1.01x): the gain is the int8 kernel's.
- conv1 stays fp32: in int8 it would add about 8% speed but its input, the image itself, is
  quantized coarsely by 8 bits (0.06 dB).
- Bias correction on conv2 (Nagel et al. 2019): rounding the weights shifts the mean output by
  ``sum((W_q - W) * E[input])``; that shift, measured on the calibration images, is taken off the bias.
  Then the output's mean offset from fp32 on the calibration images (-0.0005 here) is taken off
  conv3's bias. Together they raise fidelity from 53.9 to 56.2 dB (as conv2 alone) and cut the worst
  guide-metric deviation on Set5 from 0.47% to 0.25%; standard PSNR ends at 36.349 dB (-0.05), Set14
  -0.02, BSD68 -0.02. Speed: 1.9-2.1x fp32 at batch 1 over ten gate runs.

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
INT8_QUANTIZED_CONVS = ("conv2", "conv3")
OUTPUT_CONV = "conv3"
OUTPUT_CONV_COPIES = 16
DITHER_SEED = 0
BIAS_CORRECTED_CONVS = ("conv2",)


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
        quantize_static(str(source), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax,
                        nodes_to_exclude=[n.name for n in fp32.graph.node
                                          if (n.op_type == "Conv" and _conv_layer(n) not in INT8_QUANTIZED_CONVS)
                                          or n.op_type == "ReduceMean"])  # the average of copies stays fp32
    finally:
        source.unlink(missing_ok=True)


def _conv_layer(node) -> str:
    """'conv2' for the node whose weight is 'conv2.weight' (the exporter's parameter names)."""
    return node.input[1].removesuffix(".weight")


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
    """A layer's weights exactly as the INT8 model will use them (int8 x per-channel scale)."""
    node = next(n for n in qdq_model.graph.node if n.op_type == "DequantizeLinear" and n.input[0].startswith(weight_name))
    q = _initializer(qdq_model, node.input[0]).astype(np.float64)
    scale = _initializer(qdq_model, node.input[1]).astype(np.float64)
    zero = _initializer(qdq_model, node.input[2]).astype(np.float64) if len(node.input) > 2 else np.zeros_like(scale)
    shape = (-1,) + (1,) * (q.ndim - 1)
    return (q - zero.reshape(shape)) * scale.reshape(shape)


def mean_conv_inputs(model, planes: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Per-channel mean of each convolution's input over the calibration planes (fp32 forward pass)."""
    import torch
    import torch.nn.functional as F

    layers = [(f"conv{i}", torch.from_numpy(np.array(_initializer(model, f"conv{i}.weight"))),
               torch.from_numpy(np.array(_initializer(model, f"conv{i}.bias")))) for i in (1, 2, 3)]
    totals = {name: torch.zeros(weight.shape[1], dtype=torch.float64) for name, weight, _ in layers}
    with torch.no_grad():
        for plane in planes:
            x = torch.from_numpy(plane)[None, None]
            for index, (name, weight, bias) in enumerate(layers):
                totals[name] += x.double().mean(dim=(0, 2, 3))
                x = F.conv2d(x, weight, bias, padding=weight.shape[-1] // 2)
                x = F.relu(x) if index < len(layers) - 1 else x
    return {name: (total / len(planes)).numpy() for name, total in totals.items()}


def replicate_output_conv(model, conv: str, copies: int, seed: int = DITHER_SEED):
    """``conv`` (one output channel) as ``copies`` dithered copies averaged by a ReduceMean.

    Copy ``k`` holds ``W + d_k``: for every weight the offsets ``d_0..d_{copies-1}`` are a shuffled,
    evenly spaced grid over one int8 quantization step (max|W| / 127) with mean zero, so the fp32
    function is exactly the original (the copies average to ``W``) while int8 rounding of each copy
    errs independently and the average cancels most of it. Why 16 copies: see the module doc.
    """
    import onnx
    from onnx import helper

    replicated = onnx.ModelProto()
    replicated.CopyFrom(model)
    weight, bias = _initializer(replicated, f"{conv}.weight").astype(np.float64), _initializer(replicated, f"{conv}.bias")
    if weight.shape[0] != 1:
        raise ValueError(f"{conv} has {weight.shape[0]} output channels; only a one-channel output is replicated")
    grid = (np.arange(copies) + 0.5) / copies - 0.5
    rng = np.random.default_rng(seed)
    offsets = np.stack([rng.permutation(grid) for _ in range(weight.size)], axis=1).reshape((copies,) + weight.shape[1:])
    step = np.abs(weight).max() / 127.0
    _set_initializer(replicated, f"{conv}.weight", weight + offsets * step)
    _set_initializer(replicated, f"{conv}.bias", np.repeat(bias, copies))
    node = next(n for n in replicated.graph.node if n.op_type == "Conv" and _conv_layer(n) == conv)
    output, node.output[0] = node.output[0], f"{conv}_copies"
    replicated.graph.node.append(helper.make_node("ReduceMean", [f"{conv}_copies"], [output], name=f"{conv}_mean_of_copies",
                                                  axes=[1], keepdims=1))
    return replicated


def _outputs(onnx_path: Path, planes: list[np.ndarray]) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    return np.stack([session.run(None, {INPUT_NAME: p[None, None]})[0] for p in planes])


def build_int8(fp32_onnx: Path, out: Path, files: list[Path]) -> None:
    import onnx

    planes = calibration_planes(files)
    model = replicate_output_conv(onnx.load(str(fp32_onnx)), OUTPUT_CONV, OUTPUT_CONV_COPIES)
    _quantize(model, out, planes)  # pass 1: learn how ONNX Runtime rounds the weights
    rounded = onnx.load(str(out))
    mean_inputs = mean_conv_inputs(model, planes)
    for conv in BIAS_CORRECTED_CONVS:
        error = dequantized_weight(rounded, f"{conv}.weight") - _initializer(model, f"{conv}.weight").astype(np.float64)
        shift = (error.sum(axis=(2, 3)) * mean_inputs[conv][None, :]).sum(axis=1)
        _set_initializer(model, f"{conv}.bias", _initializer(model, f"{conv}.bias") - shift)
    _quantize(model, out, planes)  # pass 2: same rounding, corrected conv2 bias
    offset = float(np.mean(_outputs(out, planes) - _outputs(fp32_onnx, planes)))
    _set_initializer(model, f"{OUTPUT_CONV}.bias", _initializer(model, f"{OUTPUT_CONV}.bias") - offset)
    _quantize(model, out, planes)  # pass 3: output mean matched to fp32 on the calibration images


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
    parts.update({"calibration": [sha256_file(f) for f in files], "convs": list(INT8_QUANTIZED_CONVS),
                  "output_conv_copies": OUTPUT_CONV_COPIES, "dither_seed": DITHER_SEED,
                  "bias_corrected": list(BIAS_CORRECTED_CONVS)})
    return cache.get_or_build("quantized", parts, lambda tmp: build_int8(fp32_onnx, tmp / name, files)) / name
