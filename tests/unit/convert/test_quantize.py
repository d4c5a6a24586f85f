"""The INT8 build: what it changes in the graph, and that it still computes the same function."""
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.convert.quantize import (
    INT8_QUANTIZED_CONVS,
    OUTPUT_CONV_COPIES,
    build_int8,
    calibration_planes,
    conv_input_patches,
    dequantized_weight,
    replicate_output_conv,
)
from srcnn_support.convert.rounding import gptq_round, input_hessian
from srcnn_support.export.onnx_export import INPUT_NAME, OUTPUT_NAME, export_onnx
from srcnn_support.model.network import load_model
from srcnn_support.prepare.datasets import sample_photos
from srcnn_support.prepare.imaging import degrade, guide_crop, load_rgb, network_input
from srcnn_support.score.metrics import psnr
from tests.conftest import WEIGHTS


@pytest.fixture(scope="module")
def fp32_onnx(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fp32") / "srcnn.onnx"
    export_onnx(load_model(WEIGHTS), path, None)
    return path


@pytest.fixture(scope="module")
def photo_planes() -> list[np.ndarray]:
    return calibration_planes(list(sample_photos().files[:3]))


@pytest.fixture(scope="module")
def int8_onnx(tmp_path_factory, fp32_onnx) -> Path:
    path = tmp_path_factory.mktemp("int8") / "srcnn_int8.onnx"
    build_int8(fp32_onnx, path, list(sample_photos().files[:3]))
    return path


def _run(path: Path, planes: list[np.ndarray]) -> np.ndarray:
    with OnnxRuntimeRunner(path) as runner:
        return np.stack([runner.infer(p[None, None])[0, 0] for p in planes])


def _weights(model) -> dict[str, np.ndarray]:
    return {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}


def test_replicated_output_conv_computes_the_same_function(tmp_path, fp32_onnx, photo_planes):
    original = onnx.load(str(fp32_onnx))
    replicated = replicate_output_conv(original, "conv3", OUTPUT_CONV_COPIES)
    path = tmp_path / "replicated.onnx"
    onnx.save(replicated, str(path))
    assert [i.name for i in replicated.graph.input] == [INPUT_NAME]
    assert [o.name for o in replicated.graph.output] == [OUTPUT_NAME]
    reference, widened = _run(fp32_onnx, photo_planes[:1]), _run(path, photo_planes[:1])
    assert widened.shape == reference.shape
    assert np.abs(widened - reference).max() < 1e-5


def test_copies_are_dithered_within_half_a_quantization_step_around_the_weights(fp32_onnx):
    original = onnx.load(str(fp32_onnx))
    weight = _weights(original)["conv3.weight"].astype(np.float64)
    copies = _weights(replicate_output_conv(original, "conv3", 16))
    step = np.abs(weight).max() / 127
    assert copies["conv3.weight"].shape == (16, 32, 5, 5) and copies["conv3.bias"].shape == (16,)
    offsets = (copies["conv3.weight"] - weight) / step
    assert np.abs(offsets.mean(axis=0)).max() < 1e-3  # float32 storage; the grid's mean is exactly 0
    assert np.abs(offsets).max() <= 0.5
    assert np.ptp(offsets, axis=0).min() > 0.9  # every weight's copies spread over the step
    assert (copies["conv3.bias"] == _weights(original)["conv3.bias"][0]).all()


def test_only_a_one_channel_output_is_replicated(fp32_onnx):
    with pytest.raises(ValueError, match="conv2 has 32 output channels"):
        replicate_output_conv(onnx.load(str(fp32_onnx)), "conv2", 16)


def test_first_conv_patches_are_image_windows(fp32_onnx, photo_planes):
    patches = conv_input_patches(onnx.load(str(fp32_onnx)), photo_planes[:1], "conv1", per_image=64)
    assert patches.shape == (64, 81)
    plane = np.pad(photo_planes[0], 4)
    windows = {plane[y:y + 9, x:x + 9].tobytes() for y in range(256) for x in range(256)}
    assert all(p.astype(np.float32).reshape(9, 9).tobytes() in windows for p in patches)


def test_int8_model_holds_the_gptq_integers(fp32_onnx, int8_onnx, photo_planes):
    model = onnx.load(str(fp32_onnx))
    weight = _weights(model)["conv2.weight"].astype(np.float64)
    expected = gptq_round(weight.reshape(32, -1), input_hessian(conv_input_patches(model, photo_planes, "conv2")))
    stored = dequantized_weight(onnx.load(str(int8_onnx)), "conv2.weight").reshape(32, -1)
    assert np.abs(stored - expected).max() < 1e-6  # ONNX Runtime re-derived the same scale and integers


def test_int8_quantizes_conv2_and_the_conv3_copies_and_averages_in_fp32(int8_onnx):
    model = onnx.load(str(int8_onnx))
    weights = _weights(model)
    quantized = {
        node.input[0].split(".")[0]: weights[node.input[0]]
        for node in model.graph.node
        if node.op_type == "DequantizeLinear" and node.input[0] in weights and weights[node.input[0]].ndim == 4
    }
    assert sorted(quantized) == sorted(INT8_QUANTIZED_CONVS)  # conv1 stays fp32
    assert all(ints.dtype == np.int8 for ints in quantized.values())
    assert quantized["conv3"].shape == (OUTPUT_CONV_COPIES, 32, 5, 5)
    assert len({ints.tobytes() for ints in quantized["conv3"]}) == OUTPUT_CONV_COPIES  # each copy rounds differently
    producers = {out: node.op_type for node in model.graph.node for out in node.output}
    (mean,) = [node for node in model.graph.node if node.op_type == "ReduceMean"]
    assert producers[mean.input[0]] == "DequantizeLinear" and mean.output[0] == OUTPUT_NAME


def test_int8_output_stays_close_to_fp32_on_a_photo_it_was_not_calibrated_on(fp32_onnx, int8_onnx):
    held_out = [network_input(degrade(guide_crop(load_rgb(sample_photos().files[-1]))))]
    reference, quantized = _run(fp32_onnx, held_out), _run(int8_onnx, held_out)
    assert quantized.shape == reference.shape
    # Against the fp32 output, not the ground truth: the network's own error is ~0.015 (36 dB).
    assert psnr(quantized, reference, peak=1.0) > 45.0
