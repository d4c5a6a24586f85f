"""Two dump folders named as msit names them, from the live capture of a faulty model: the same answer."""
import numpy as np
import onnx
import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.layers.capture import node_layers, onnx_layers
from srcnn_support.layers.dumps import compare_dump_folders, fused_layers
from tests.conftest import SET5
from tests.layer_faults import conv3_bias_shifted, exported_model

pytestmark = pytest.mark.skipif(not SET5.is_dir(), reason=f"Set5 not found at {SET5}")
STAMP = 1682148256368588


@pytest.fixture(scope="module")
def layers_of_nodes(layer_folder):
    path = exported_model(layer_folder)
    return node_layers(onnx.load(str(path)), path)


def golden_dumps(folder, reference) -> None:
    """msit's ONNX side: every node, ``{node}.{output}.{timestamp}.npy`` with '/' unusable in a file name."""
    folder.mkdir()
    nodes = {"conv1": "_conv1_Conv", "relu1": "_relu_Relu", "conv2": "_conv2_Conv", "relu2": "_relu_1_Relu",
             "conv3": "_conv3_Conv"}
    np.save(folder / f"input_input_1.0.{STAMP}.npy", reference["conv1"][:, :1])
    for layer, node in nodes.items():
        np.save(folder / f"{node}.0.{STAMP}.npy", reference[layer])


def device_dumps(folder, device) -> None:
    """The NPU side after conversion: conv and ReLU fused, named by both nodes; conv3 dumped flat."""
    folder.mkdir()
    fused = {"_conv1_Conv_relu_Relu": device["relu1"], "_conv2_Conv_relu_1_Relu": device["relu2"],
             "_conv3_Conv": device["conv3"].ravel()}
    for index, (name, value) in enumerate(fused.items()):
        np.save(folder / f"Conv2D.{name}.{index + 2}.5.{STAMP}.output.0.npy", value.astype(np.float16))
        np.save(folder / f"Conv2D.{name}.{index + 2}.5.{STAMP}.input.0.npy", value[:1])


def test_fused_operator_names_resolve_to_their_layers(layers_of_nodes):
    assert fused_layers("_conv2_Conv_relu_1_Relu", layers_of_nodes) == ["conv2", "relu2"]
    assert fused_layers("_conv3_Conv", layers_of_nodes) == ["conv3"]
    assert fused_layers("TransData_3", layers_of_nodes) == []


def test_dumps_of_a_conv3_fault_name_conv3(tmp_path, layer_folder, inputs, reference, layers_of_nodes):
    golden_dumps(tmp_path / "golden", reference)
    device_dumps(tmp_path / "npu", onnx_layers(conv3_bias_shifted(layer_folder), inputs[1]).layers)
    result = compare_dump_folders(tmp_path / "golden", tmp_path / "npu", layers_of_nodes)
    assert result.first_divergence == "conv3"
    assert f"first diverging layer conv3 at Conv2D._conv3_Conv.4.5.{STAMP}.output.0.npy (" in result.summary()
    assert [row.label for row in result.rows] == ["conv1+relu1", "relu1", "conv2+relu2", "relu2", "conv3"]
    assert result.classification == "global"
    assert result.worst_error.shape == inputs[1].shape[2:]


def test_clean_dumps_are_clean(tmp_path, layer_folder, inputs, reference, layers_of_nodes):
    golden_dumps(tmp_path / "golden", reference)
    device_dumps(tmp_path / "npu", onnx_layers(exported_model(layer_folder), inputs[1]).layers)
    assert compare_dump_folders(tmp_path / "golden", tmp_path / "npu", layers_of_nodes).classification == "clean"


def test_a_missing_folder_is_named(tmp_path, layers_of_nodes):
    with pytest.raises(SrcnnGateError, match=r"nope: dump folder not found"):
        compare_dump_folders(tmp_path / "nope", tmp_path, layers_of_nodes)


def test_a_folder_without_dumps_says_what_it_expected(tmp_path, layers_of_nodes):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x")
    with pytest.raises(SrcnnGateError, match=r"empty: holds no operator dump"):
        compare_dump_folders(tmp_path / "empty", tmp_path / "empty", layers_of_nodes)


def test_a_dump_of_another_size_names_both_files(tmp_path, reference, layers_of_nodes):
    golden_dumps(tmp_path / "golden", reference)
    (tmp_path / "npu").mkdir()
    np.save(tmp_path / "npu" / f"Conv2D._conv3_Conv.2.5.{STAMP}.output.0.npy", np.zeros(7, np.float16))
    with pytest.raises(SrcnnGateError, match=r"output\.0\.npy: holds \(7,\) \(7 values\); _conv3_Conv\.0\..*npy holds"):
        compare_dump_folders(tmp_path / "golden", tmp_path / "npu", layers_of_nodes)


def test_a_broken_npy_is_named(tmp_path, reference, layers_of_nodes):
    golden_dumps(tmp_path / "golden", reference)
    (tmp_path / "npu").mkdir()
    broken = tmp_path / "npu" / f"Conv2D._conv3_Conv.2.5.{STAMP}.output.0.npy"
    broken.write_bytes(b"not numpy")
    with pytest.raises(SrcnnGateError, match=r"output\.0\.npy: not a readable \.npy file"):
        compare_dump_folders(tmp_path / "golden", tmp_path / "npu", layers_of_nodes)
