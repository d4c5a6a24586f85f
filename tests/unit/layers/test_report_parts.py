"""The heatmap's colours, the failure message's composition and the report's layer section."""
import numpy as np

from srcnn_support.layers.comparison import LayerComparison, LayerRow
from srcnn_support.layers.failure import with_first_divergence
from srcnn_support.layers.heatmap import error_colours, save_error_heatmap
from srcnn_support.layers.metrics import MSIT_THRESHOLDS, LayerMetrics
from srcnn_support.report.layer_blocks import layer_blocks
from srcnn_support.report.render import render_markdown


def test_heatmap_is_white_where_equal_red_above_blue_below():
    colours = error_colours(np.array([[0.0, 0.5, -0.5, np.nan]]))
    assert colours[0, 0].tolist() == [255, 255, 255]
    assert colours[0, 1, 0] > colours[0, 1, 2] and colours[0, 2, 2] > colours[0, 2, 0]
    assert colours[0, 3].tolist() == [255, 255, 255]  # a NaN is not drawn as an error of its own


class Diagnoses:
    def __init__(self, line):
        self.line = line

    def message(self, backend):
        return self.line


def test_the_message_holds_the_pipeline_diagnosis_then_the_first_diverging_layer():
    both = with_first_divergence(lambda image: f"cause: unknown ({image})", Diagnoses("first diverging layer conv2"),
                                 "onnxruntime")
    assert both("baby") == "cause: unknown (baby)\nfirst diverging layer conv2"
    alone = with_first_divergence(None, Diagnoses("first diverging layer conv3"), "onnxruntime")
    assert alone("baby") == "first diverging layer conv3"


def test_backends_not_compared_live_keep_their_explanation_as_it_is():
    def explain(image):
        return "cause: bgr-order"

    assert with_first_divergence(explain, Diagnoses("x"), "ascend-om") is explain
    assert with_first_divergence(None, Diagnoses("x"), "torch-cuda-fp16") is None


def test_a_backend_whose_layers_cannot_be_read_here_keeps_only_its_diagnosis():
    """TensorRT through trtexec: ``LayerDiagnoses.message`` gives None, the diagnosis stands alone."""
    explain = with_first_divergence(lambda image: "cause: unknown", Diagnoses(None), "tensorrt")
    assert explain("baby") == "cause: unknown"


def test_the_report_section_shows_each_backend_with_its_verdict_and_heatmap(tmp_path):
    good = LayerMetrics(1.0, 1e-7, 0.0, 1e-7, 1e-7, 1e-6, 1e-5, 0, 0)
    bad = LayerMetrics(0.9999, 0.1, 0.003, 0.05, 0.2, 0.05, 0.9, 0, 0)
    rows = [LayerRow(layer, good, (), layer) for layer in ("conv1", "relu1", "conv2", "relu2")]
    rows.append(LayerRow("conv3", bad, tuple(MSIT_THRESHOLDS.exceeded(bad)), "conv3"))
    entry = LayerComparison("onnxruntime", "fp32", rows, MSIT_THRESHOLDS, 0.0, "baby", images=1).to_dict()
    entry["heatmap"] = save_error_heatmap(np.full((8, 8), 0.05), tmp_path / "h" / "onnxruntime.png").relative_to(
        tmp_path).as_posix()
    blocks = layer_blocks({"meta": {"layers": {"onnxruntime": entry}}}, tmp_path)
    text = render_markdown([("Layer by layer", blocks)], tmp_path, "RELEASE FAIL")
    assert "### onnxruntime: first divergence conv3 (global; 1 image)" in text
    assert "| conv3 | 0.999900 | 0.1 | 0.003 | 0.05 | 0.05 | 0 | FAIL: RelativeEuclideanDistance |" in text
    assert "![onnxruntime: output error on baby" in text and "(h/onnxruntime.png)" in text
    assert layer_blocks({"meta": {}}, tmp_path) == []


def test_a_comparison_that_breaks_is_said_in_the_message_not_raised(tmp_path):
    from srcnn_support.layers.failure import LayerDiagnoses

    class Broken:
        cache = weights = images = None
        options = type("Options", (), {"onnx": None, "calibration_dir": None, "device_id": 0})()

    diagnoses = LayerDiagnoses(Broken(), {}, tmp_path)
    message = diagnoses.message("onnxruntime")
    assert message.startswith("onnxruntime: layer by layer: not compared (")
