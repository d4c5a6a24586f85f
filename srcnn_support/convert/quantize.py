"""Quantized variants of the exported model, built as cached artifacts.

INT8: ONNX Runtime static quantization, QDQ, u8 activations / s8 per-channel weights, calibrated on
training images only; conv2 rounded by GPTQ (``rounding.py``), conv3 as 16 dithered copies averaged,
conv1 kept fp32, the output's mean offset taken off conv3's bias. The measurements behind each choice:
docs/decisions/0001-int8-quantization.md.

FP16: weights and compute in float16 with float32 I/O (``keep_io_types``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.cache import ArtifactCache, code_version, sha256_file
from srcnn_support.convert.onnx_graph import (
    conv_layer,
    initializer,
    quantizable_opset,
    set_initializer,
    with_layer_names,
)
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME, onnx_sha256, with_free_shape
from srcnn_support.export.onnxruntime_session import session_options
from srcnn_support.prepare.imaging import degrade, guide_crop, list_images, load_rgb, network_input

QUANT_CODE_MODULES = ("convert/quantize", "convert/onnx_graph", "convert/rounding", "prepare/imaging")
CALIBRATION_IMAGES = 24
INT8_QUANTIZED_CONVS = ("conv2", "conv3")
OUTPUT_CONV = "conv3"
OUTPUT_CONV_COPIES = 16
SEED = 0  # dither offsets and patch sampling: the same inputs always build the same model
GPTQ_CONVS = ("conv2",)
PATCHES_PER_IMAGE = 2048


def calibration_files(train_dir: Path, count: int = CALIBRATION_IMAGES) -> list[Path]:
    """An even spread over the (name-sorted) training images: deterministic, no test images."""
    files = list_images(train_dir)
    step = max(1, len(files) // count)
    return files[::step][:count]


def calibration_planes(files: list[Path]) -> list[np.ndarray]:
    return [network_input(degrade(guide_crop(load_rgb(f)))) for f in files]


def _quantize(fp32, out: Path, planes: list[np.ndarray]) -> None:
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

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
                                          if (n.op_type == "Conv" and conv_layer(n) not in INT8_QUANTIZED_CONVS)
                                          or n.op_type == "ReduceMean"])  # the average of copies stays fp32
    finally:
        source.unlink(missing_ok=True)


def dequantized_weight(qdq_model, weight_name: str) -> np.ndarray:
    """A layer's weights exactly as the INT8 model will use them (int8 x per-channel scale)."""
    node = next(
        n for n in qdq_model.graph.node if n.op_type == "DequantizeLinear" and n.input[0].startswith(weight_name)
    )
    q = initializer(qdq_model, node.input[0]).astype(np.float64)
    scale = initializer(qdq_model, node.input[1]).astype(np.float64)
    zero = initializer(qdq_model, node.input[2]).astype(np.float64) if len(node.input) > 2 else np.zeros_like(scale)
    shape = (-1,) + (1,) * (q.ndim - 1)
    return (q - zero.reshape(shape)) * scale.reshape(shape)


def conv_input_patches(model, planes: list[np.ndarray], conv: str, per_image: int = PATCHES_PER_IMAGE,
                       seed: int = SEED) -> np.ndarray:
    """A random sample of ``conv``'s input patches over the calibration planes (fp32 forward pass)."""
    import torch
    import torch.nn.functional as F

    from srcnn_support.convert.rounding import sampled_patches

    layers = [(f"conv{i}", torch.from_numpy(np.array(initializer(model, f"conv{i}.weight"))),
               torch.from_numpy(np.array(initializer(model, f"conv{i}.bias")))) for i in (1, 2, 3)]
    rng = np.random.default_rng(seed)
    rows = []
    with torch.no_grad():
        for plane in planes:
            x = torch.from_numpy(plane)[None, None]
            for name, weight, bias in layers:
                if name == conv:
                    rows.append(sampled_patches(x[0].numpy(), weight.shape[-1], per_image, rng))
                    break
                x = F.relu(F.conv2d(x, weight, bias, padding=weight.shape[-1] // 2))
    return np.concatenate(rows)


def replicate_output_conv(model, conv: str, copies: int, seed: int = SEED):
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
    weight, bias = (
        initializer(replicated, f"{conv}.weight").astype(np.float64),
        initializer(replicated, f"{conv}.bias"),
    )
    if weight.shape[0] != 1:
        raise ValueError(f"{conv} has {weight.shape[0]} output channels; only a one-channel output is replicated")
    grid = (np.arange(copies) + 0.5) / copies - 0.5
    rng = np.random.default_rng(seed)
    offsets = np.stack([rng.permutation(grid) for _ in range(weight.size)], axis=1).reshape(
        (copies,) + weight.shape[1:]
    )
    step = np.abs(weight).max() / 127.0
    set_initializer(replicated, f"{conv}.weight", weight + offsets * step)
    set_initializer(replicated, f"{conv}.bias", np.repeat(bias, copies))
    node = next(n for n in replicated.graph.node if n.op_type == "Conv" and conv_layer(n) == conv)
    output, node.output[0] = node.output[0], f"{conv}_copies"
    replicated.graph.node.append(
        helper.make_node(
            "ReduceMean", [f"{conv}_copies"], [output], name=f"{conv}_mean_of_copies", axes=[1], keepdims=1
        )
    )
    return replicated


def _outputs(onnx_path: Path, planes: list[np.ndarray]) -> np.ndarray:
    """The model's float32 outputs on the CPU, one plane at a time, with the runner's session options."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), session_options(), providers=["CPUExecutionProvider"])
    feeds = [{INPUT_NAME: np.ascontiguousarray(p[None, None], dtype=np.float32)} for p in planes]
    return np.stack([np.asarray(session.run(None, feed)[0], dtype=np.float32) for feed in feeds])


def build_int8(fp32_onnx: Path, out: Path, files: list[Path]) -> None:
    import onnx

    from srcnn_support.convert.rounding import gptq_round, input_hessian

    planes = calibration_planes(files)
    named = with_layer_names(quantizable_opset(onnx.load(str(fp32_onnx))), fp32_onnx)
    model = replicate_output_conv(named, OUTPUT_CONV, OUTPUT_CONV_COPIES)
    for conv in GPTQ_CONVS:
        weight = initializer(model, f"{conv}.weight").astype(np.float64)
        hessian = input_hessian(conv_input_patches(model, planes, conv))
        set_initializer(
            model, f"{conv}.weight", gptq_round(weight.reshape(len(weight), -1), hessian).reshape(weight.shape)
        )
    _quantize(model, out, planes)  # pass 1: ONNX Runtime keeps GPTQ's integers (they are on its grid)
    offset = float(np.mean(_outputs(out, planes) - _outputs(fp32_onnx, planes)))
    set_initializer(model, f"{OUTPUT_CONV}.bias", initializer(model, f"{OUTPUT_CONV}.bias") - offset)
    _quantize(model, out, planes)  # pass 2: output mean matched to fp32 on the calibration images


def build_fp16(fp32_onnx: Path, out: Path) -> None:
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    onnx.save(convert_float_to_float16(onnx.load(str(fp32_onnx)), keep_io_types=True), str(out))


def _build(build, fp32_onnx: Path, tmp: Path, precision: str, *args) -> None:
    """A failed build names the model it was built from, never the staging copy the builder was handed."""
    source = with_free_shape(fp32_onnx, tmp)
    try:
        build(source, *args)
    except MissingRuntimeError:
        raise
    except SrcnnGateError as exc:
        raise SrcnnGateError(fp32_onnx, exc.problem) from None
    except Exception as exc:  # onnx, onnxruntime's quantizer and numpy raise with no common base
        first = (str(exc).strip().splitlines() or [""])[0].replace(str(source), str(fp32_onnx))[:200]
        cause = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        raise SrcnnGateError(fp32_onnx, f"building the {precision} model from it failed: {cause}") from exc
    finally:
        if source != fp32_onnx:
            source.unlink()


def quantized_model(cache: ArtifactCache, fp32_onnx: Path, precision: str, calibration_dir: Path | None) -> Path:
    import onnxruntime

    parts = {"onnx_sha256": onnx_sha256(fp32_onnx), "precision": precision, "onnxruntime": onnxruntime.__version__,
             "code": code_version(QUANT_CODE_MODULES)}
    name = f"srcnn_x2_{precision}.onnx"
    if precision == "fp16":
        return cache.get_or_build("quantized", parts,
                                  lambda tmp: _build(build_fp16, fp32_onnx, tmp, precision, tmp / name)) / name
    if precision != "int8":
        raise ValueError(f"unknown precision {precision!r}")
    if calibration_dir is None or not Path(calibration_dir).is_dir():
        raise MissingRuntimeError("onnxruntime-int8", f"INT8 calibration images not found at {calibration_dir} "
                                  "(set SRCNN_DATA_ROOT to the folder holding train/, or --calibration-dir)")
    files = calibration_files(Path(calibration_dir))
    parts.update({"calibration": [sha256_file(f) for f in files], "convs": list(INT8_QUANTIZED_CONVS),
                  "output_conv_copies": OUTPUT_CONV_COPIES, "seed": SEED,
                  "gptq": list(GPTQ_CONVS),
                  "patches_per_image": PATCHES_PER_IMAGE, "output_mean_correction": True})
    return cache.get_or_build("quantized", parts,
                              lambda tmp: _build(build_int8, fp32_onnx, tmp, precision, tmp / name, files)) / name
