import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper

from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME, OUTPUT_NAME, check_onnx_file, export_onnx
from srcnn_support.model.network import SRCNN


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return SRCNN().eval()


def _dims(value_info):
    return [d.dim_value if d.HasField("dim_value") else d.dim_param for d in value_info.type.tensor_type.shape.dim]


def test_fixed_batch_export_for_atc(tmp_path, model):
    path = tmp_path / "bs16.onnx"
    export_onnx(model, path, 16)
    proto = check_onnx_file(path)
    assert [i.name for i in proto.graph.input] == [INPUT_NAME]
    assert proto.graph.output[0].name == OUTPUT_NAME
    assert _dims(proto.graph.input[0]) == [16, 1, 256, 256]


def test_dynamic_export_runs_any_batch_in_onnxruntime(tmp_path, model):
    path = tmp_path / "dyn.onnx"
    export_onnx(model, path, None)
    assert isinstance(_dims(check_onnx_file(path).graph.input[0])[0], str)
    batch = np.random.default_rng(0).random((3, 1, 256, 256), dtype=np.float32)
    with OnnxRuntimeRunner(path) as ort_runner, PyTorchRunner(model) as torch_runner:
        assert np.abs(ort_runner.infer(batch) - torch_runner.infer(batch)).max() < 1e-5


def test_not_onnx_is_refused(tmp_path):
    path = tmp_path / "junk.onnx"
    path.write_bytes(b"this is not a protobuf" * 10)
    with pytest.raises(SrcnnGateError, match="junk.onnx: not a valid ONNX model"):
        check_onnx_file(path)


def _identity_model(path, input_name, shape):
    graph = helper.make_graph([helper.make_node("Identity", [input_name], ["out"])], "g",
                              [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, shape)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def test_wrong_input_name_is_refused(tmp_path):
    _identity_model(tmp_path / "m.onnx", "image", [1, 1, 256, 256])
    with pytest.raises(SrcnnGateError, match="expected one input named 'input.1', found: image"):
        check_onnx_file(tmp_path / "m.onnx")


def test_wrong_input_shape_is_refused(tmp_path):
    _identity_model(tmp_path / "m.onnx", INPUT_NAME, [1, 3, 256, 256])
    with pytest.raises(SrcnnGateError, match=r"has shape \[1, 3, 256, 256\], expected \[N, 1, H, W\]"):
        check_onnx_file(tmp_path / "m.onnx")
