"""PyTorch against ONNX Runtime at every layer, on the project's weights and on models broken in one layer."""
import numpy as np
import onnx
import pytest
from onnx import helper

from srcnn_support.convert.quantize import build_fp16
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import export_onnx
from srcnn_support.layers.capture import LAYERS, boundary_tensors
from srcnn_support.layers.comparison import LayerComparison
from srcnn_support.layers.live import compare_onnx
from srcnn_support.model.network import load_model
from tests.conftest import SET5, WEIGHTS
from tests.layer_faults import conv1_beyond_fp16, conv2_weights_scaled, conv3_bias_shifted, exported_model

pytestmark = pytest.mark.skipif(not SET5.is_dir(), reason=f"Set5 not found at {SET5}")


def compare(model, inputs, reference, precision="fp32") -> LayerComparison:
    return compare_onnx("onnxruntime", precision, model, *inputs, reference)


def test_pytorch_steps_end_in_the_network_output(inputs, reference):
    import torch

    with torch.no_grad():
        output = load_model(WEIGHTS)(torch.from_numpy(inputs[1])).numpy()
    assert list(reference) == list(LAYERS)
    np.testing.assert_array_equal(reference["conv3"], output)


def test_the_exported_model_is_clean_and_marking_its_outputs_leaves_its_output_as_is(layer_folder, inputs, reference):
    result = compare(exported_model(layer_folder), inputs, reference)
    assert result.classification == "clean"
    assert result.first_divergence is None
    assert result.final_output_change == 0.0
    assert [row.layer for row in result.rows] == list(LAYERS)
    assert all(row.metrics.cosine > 0.999999 for row in result.rows)
    assert result.lines()[-1] == "first divergence: none"


def test_conv2_weights_scaled_by_5_percent_diverge_at_conv2(layer_folder, inputs, reference):
    result = compare(conv2_weights_scaled(layer_folder), inputs, reference)
    assert result.first_divergence == "conv2"
    clean = {row.layer: not row.exceeded for row in result.rows}
    assert clean["conv1"] and clean["relu1"]
    assert result.classification == "global"
    assert "first diverging layer conv2" in result.summary()
    assert "clean before it: conv1, relu1" in result.summary()


def test_conv3_bias_shift_diverges_at_conv3_only(layer_folder, inputs, reference):
    result = compare(conv3_bias_shifted(layer_folder), inputs, reference)
    assert result.first_divergence == "conv3"
    assert [row.layer for row in result.rows if not row.exceeded] == ["conv1", "relu1", "conv2", "relu2"]
    assert "RelativeEuclideanDistance" in result.rows[-1].exceeded
    assert result.worst_error.shape == inputs[1].shape[2:]
    assert np.allclose(result.worst_error, 0.05, atol=1e-4)  # the shift itself, everywhere


def test_conv1_beyond_fp16_range_is_flagged_in_fp32_and_overflows_in_fp16(layer_folder, inputs, reference):
    overflowing = conv1_beyond_fp16(layer_folder)
    fp32 = compare(overflowing, inputs, reference)
    conv1 = fp32.rows[0]
    assert conv1.metrics.fp16_overflow > 0 and "OverFlow" in conv1.exceeded
    # conv1 is rescaled, so it differs from PyTorch's; conv2 undoes the scale and the output is right
    assert fp32.rows[-1].metrics.max_abs < 1e-4
    assert fp32.classification == "single-point"

    fp16 = layer_folder / "conv1_beyond_fp16.fp16.onnx"
    build_fp16(overflowing, fp16)
    result = compare(fp16, inputs, reference, precision="fp16")
    assert result.first_divergence == "conv1"
    assert "OverFlow" in result.rows[0].exceeded
    assert result.rows[0].metrics.fp16_overflow > 0 and result.rows[1].metrics.fp16_overflow > 0  # inf past ReLU


def test_a_graph_that_is_not_srcnn_is_refused_naming_the_file(tmp_path):
    x = helper.make_tensor_value_info("input.1", onnx.TensorProto.FLOAT, [1, 1, 8, 8])
    y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 1, 8, 8])
    model = helper.make_model(helper.make_graph([helper.make_node("Relu", ["input.1"], ["y"])], "g", [x], [y]))
    with pytest.raises(SrcnnGateError, match=r"odd\.onnx: has 0 Conv node\(s\)"):
        boundary_tensors(model, tmp_path / "odd.onnx")


def test_a_conv_fused_with_its_quantized_relu_is_compared_at_the_relu(layer_folder):
    """ONNX Runtime's quantizer drops the Relu before a uint8 QuantizeLinear: conv2 is then the fused group."""
    model = onnx.load(str(exported_model(layer_folder)))
    relu2 = [n for n in model.graph.node if n.op_type == "Relu"][1]
    conv2 = [n for n in model.graph.node if n.op_type == "Conv"][1]
    scale = helper.make_tensor("s", onnx.TensorProto.FLOAT, [], [0.01])
    zero = helper.make_tensor("z", onnx.TensorProto.UINT8, [], [0])
    model.graph.initializer.extend([scale, zero])
    quantize = helper.make_node("QuantizeLinear", [conv2.output[0], "s", "z"], ["q"])
    dequantize = helper.make_node("DequantizeLinear", ["q", "s", "z"], [relu2.output[0]])
    nodes = [n for n in model.graph.node if n is not relu2]
    index = nodes.index(conv2) + 1
    del model.graph.node[:]
    model.graph.node.extend(nodes[:index] + [quantize, dequantize] + nodes[index:])
    boundaries = boundary_tensors(model, layer_folder / "qdq.onnx")
    assert boundaries["conv2"].tensor == boundaries["relu2"].tensor == relu2.output[0]
    assert boundaries["conv2"].golden == "relu2"
    assert boundaries["conv1"].golden == "conv1"


def test_a_model_exported_with_a_fixed_batch_is_compared_image_by_image(layer_folder, inputs, reference):
    fixed = layer_folder / "bs4.onnx"
    export_onnx(load_model(WEIGHTS), fixed, 4, size=96)
    result = compare(fixed, inputs, reference)
    assert result.classification == "clean" and result.final_output_change == 0.0


def test_a_model_fixed_to_another_size_is_one_line_naming_it(layer_folder, inputs, reference):
    fixed = layer_folder / "bs1_64.onnx"
    export_onnx(load_model(WEIGHTS), fixed, 1, size=64)
    with pytest.raises(SrcnnGateError, match=r"bs1_64\.onnx: ONNX Runtime cannot run it on a 96 x 96 image: "):
        compare(fixed, inputs, reference)
