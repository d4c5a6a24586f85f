"""INT8 built from a given ONNX of any opset and naming: the guide's opset 11, torch's current 18+ and a model whose
parameters another tool renamed all quantize like torch's opset-17 export."""
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from PIL import Image

from srcnn_support.convert.onnx_graph import quantizable_opset
from srcnn_support.convert.quantize import build_int8
from srcnn_support.export.onnx_export import INPUT_NAME, OUTPUT_NAME
from srcnn_support.model.network import load_model
from tests.conftest import WEIGHTS

pytestmark = pytest.mark.slow  # four INT8 builds (GPTQ, two calibration passes each)


def _export(path, opset: int):
    axes = {0: "batch", 2: "height", 3: "width"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(load_model(WEIGHTS).eval(), (torch.zeros(1, 1, 256, 256),), str(path),
                          input_names=[INPUT_NAME], output_names=[OUTPUT_NAME], opset_version=opset, dynamo=False,
                          dynamic_axes={INPUT_NAME: axes, OUTPUT_NAME: axes})
    return path


def renamed_parameters(source, path):
    """``source`` with its initializers named as some converters and optimisers leave them ('W0', 'W1', ...)."""
    model = onnx.load(str(source))
    names = {init.name: f"W{index}" for index, init in enumerate(model.graph.initializer)}
    for init in model.graph.initializer:
        init.name = names[init.name]
    for node in model.graph.node:
        node.input[:] = [names.get(name, name) for name in node.input]
    onnx.save(model, str(path))
    return path


def _calibration(folder):
    folder.mkdir()
    rng = np.random.default_rng(0)
    smooth = np.kron(rng.integers(0, 256, (75, 75, 3)), np.ones((4, 4, 1))).astype(np.uint8)  # 300 x 300
    for index in range(2):
        Image.fromarray(np.roll(smooth, 7 * index, axis=1)).save(folder / f"train{index}.png")
    return sorted(folder.glob("*.png"))


def _run(path, plane):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {INPUT_NAME: plane})[0]


def test_opsets_outside_the_quantizers_range_are_converted_into_it(tmp_path):
    for opset, expected in ((11, 13), (17, 17), (18, 17), (20, 17)):
        model = quantizable_opset(onnx.load(str(_export(tmp_path / f"m{opset}.onnx", opset))))
        assert [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] == [expected]


def test_int8_from_opset_11_and_18_equals_int8_from_opset_17(tmp_path):
    files = _calibration(tmp_path / "train")
    plane = np.random.default_rng(1).random((1, 1, 64, 64), dtype=np.float32)
    outputs = {}
    for opset in (11, 17, 18):
        built = tmp_path / f"int8-{opset}.onnx"
        build_int8(_export(tmp_path / f"fp32-{opset}.onnx", opset), built, files)
        outputs[opset] = _run(built, plane)
    assert np.abs(outputs[11] - outputs[17]).max() <= 1e-6
    assert np.abs(outputs[18] - outputs[17]).max() <= 1e-6


def test_int8_from_a_model_with_renamed_parameters_equals_int8_from_torchs_names(tmp_path):
    files = _calibration(tmp_path / "train")
    plane = np.random.default_rng(1).random((1, 1, 64, 64), dtype=np.float32)
    torch_named = _export(tmp_path / "fp32.onnx", 17)
    renamed = renamed_parameters(torch_named, tmp_path / "fp32-renamed.onnx")
    assert not {i.name for i in onnx.load(str(renamed)).graph.initializer} & {"conv1.weight", "conv3.bias"}
    build_int8(torch_named, tmp_path / "int8.onnx", files)
    build_int8(renamed, tmp_path / "int8-renamed.onnx", files)
    assert np.abs(_run(tmp_path / "int8-renamed.onnx", plane) - _run(tmp_path / "int8.onnx", plane)).max() <= 1e-6
