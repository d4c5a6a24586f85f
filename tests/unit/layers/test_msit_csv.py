"""msit's result CSV, written here from its documented columns, read into the same answer as the live run."""
import csv

import onnx
import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.layers.capture import node_layers, onnx_layers
from srcnn_support.layers.live import compare_onnx
from srcnn_support.layers.metrics import layer_metrics
from srcnn_support.layers.msit_csv import read_msit_csv
from tests.conftest import SET5
from tests.layer_faults import conv2_weights_scaled, conv3_bias_shifted, exported_model

pytestmark = pytest.mark.skipif(not SET5.is_dir(), reason=f"Set5 not found at {SET5}")

# Ascend/msit result_analyse/README.md: the operator columns, Shape, OverFlow, the algorithm columns, CompareFailReason
HEADER = ["Index", "OpType", "NPUDump", "DataType", "Address", "GroundTruth", "DataType", "TensorIndex", "Shape",
          "OverFlow", "CosineSimilarity", "MaxAbsoluteError", "AccumulatedRelativeError", "RelativeEuclideanDistance",
          "KullbackLeiblerDivergence", "StandardDeviation", "MeanAbsoluteError", "RootMeanSquareError",
          "MaxRelativeError", "MeanRelativeError", "CompareFailReason"]
# ATC fuses each conv with its ReLU; the fused operator lists both ONNX nodes, as the README's Sub_26Mul_28 does
FUSED = [("Conv2D", ["/conv1/Conv", "/relu/Relu"], "relu1"), ("Conv2D", ["/conv2/Conv", "/relu_1/Relu"], "relu2"),
         ("Conv2D", ["/conv3/Conv"], "conv3")]


@pytest.fixture(scope="module")
def layers_of_nodes(layer_folder):
    model_path = exported_model(layer_folder)
    return node_layers(onnx.load(str(model_path)), model_path)


def msit_csv(path, device: dict, reference: dict, extra_rows=()) -> None:
    """What msit writes for a device whose fused operators returned ``device``'s values."""
    rows = [["0", "TransData", "trans_TransData_0", "float16", "NaN", "*", "float32", "trans_TransData_0:output:0",
             "[2, 1, 96, 96]", "NO"] + ["NaN"] * 10 + ["No ground truth"]]
    for index, (op_type, nodes, layer) in enumerate(FUSED, start=1):
        m = layer_metrics(reference[layer], device[layer])
        name = "".join(nodes)
        metrics = [m.cosine, m.max_abs, "0.1", m.red, m.kl, "0.5;0.2", "0.01", m.rmse, m.max_rel, m.mre]
        rows.append([str(index), op_type, name, "float16", "NaN", ",".join(nodes), "float32", f"{name}:input:0",
                     "[2, 1, 96, 96]", "NO"] + ["1.0"] * 10 + [""])
        rows.append([str(index), op_type, name, "float16", "NaN", ",".join(nodes), "float32", f"{name}:output:0",
                     "[2, 64, 96, 96]", "NO"] + [f"{v}" for v in metrics] + [""])
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows, *extra_rows])


@pytest.mark.parametrize(("fault", "precision", "layer"), [(conv2_weights_scaled, "fp32", "conv2"),
                                                          (conv3_bias_shifted, "fp16", "conv3")])
def test_the_csv_of_a_fault_names_the_layer_the_live_run_names(layer_folder, inputs, reference, layers_of_nodes,
                                                               fault, precision, layer):
    model = fault(layer_folder)
    live = compare_onnx("onnxruntime", precision, model, *inputs, reference)
    device = onnx_layers(model, inputs[1]).layers
    path = layer_folder / f"result_{layer}.csv"
    msit_csv(path, device, reference)
    recorded = read_msit_csv(path, layers_of_nodes, precision)
    assert recorded.first_divergence == live.first_divergence == layer
    assert recorded.classification == live.classification == "global"
    assert [row.layer for row in recorded.rows] == ["conv1", "relu1", "conv2", "relu2", "conv3"]
    assert recorded.rows[0].label == "conv1+relu1" and not recorded.rows[0].exceeded
    assert "line" in recorded.rows[0].source


def test_a_clean_device_run_is_clean(layer_folder, inputs, reference, layers_of_nodes):
    path = layer_folder / "result_clean.csv"
    msit_csv(path, onnx_layers(exported_model(layer_folder), inputs[1]).layers, reference)
    recorded = read_msit_csv(path, layers_of_nodes, "fp32")
    assert recorded.classification == "clean"
    assert recorded.lines()[-1] == "first divergence: none"


def test_an_overflow_flag_makes_its_row_anomalous(layer_folder, inputs, reference, layers_of_nodes):
    path = layer_folder / "result_overflow.csv"
    msit_csv(path, onnx_layers(exported_model(layer_folder), inputs[1]).layers, reference)
    rows = list(csv.reader(open(path)))
    rows[3][9] = "YES"  # conv1+relu1's output row
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    recorded = read_msit_csv(path, layers_of_nodes)
    assert recorded.first_divergence == "conv1"
    assert recorded.rows[0].exceeded == ("OverFlow",)
    assert recorded.classification == "single-point"


def bad(path, text: str) -> str:
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(("text", "problem"), [
    ("", "empty: no header, no rows"),
    (",".join(HEADER) + "\n", "has a header but no operator rows"),
    ("Index,OpType,Shape\n1,Conv2D,[1]\n", "not an msit compare result: the header lacks NPUDump, GroundTruth"),
    (",".join(HEADER) + "\n1,Conv2D,x\n", "line 2 has 3 fields, the header 21"),
])
def test_a_malformed_csv_is_one_line_naming_the_file(tmp_path, layers_of_nodes, text, problem):
    path = bad(tmp_path / "result_1.csv", text)
    with pytest.raises(SrcnnGateError) as raised:
        read_msit_csv(path, layers_of_nodes)
    assert str(raised.value).startswith(f"{path}: {problem}")
    assert "\n" not in str(raised.value)


def test_a_metric_that_is_not_a_number_names_line_and_column(tmp_path, layers_of_nodes):
    row = ["1", "Conv2D", "c3", "float16", "NaN", "/conv3/Conv", "float32", "c3:output:0", "[1]", "NO",
           "0.99x"] + ["0"] * 9 + [""]
    path = bad(tmp_path / "result_2.csv", ",".join(HEADER) + "\n" + ",".join(row) + "\n")
    with pytest.raises(SrcnnGateError, match=r"result_2\.csv: line 2, column CosineSimilarity: '0\.99x' is not a num"):
        read_msit_csv(path, layers_of_nodes)


def test_a_csv_of_another_model_says_so(tmp_path, layers_of_nodes):
    row = ["1", "Add", "Add_1", "float16", "NaN", "Add_1", "float32", "Add_1:output:0", "[1]", "NO"] + ["1"] * 10 + [""]
    path = bad(tmp_path / "result_3.csv", ",".join(HEADER) + "\n" + ",".join(row) + "\n")
    with pytest.raises(SrcnnGateError, match=r"result_3\.csv: no output row of SRCNN's conv3"):
        read_msit_csv(path, layers_of_nodes)


def test_missing_csv_is_named(tmp_path, layers_of_nodes):
    with pytest.raises(SrcnnGateError, match=r"nope\.csv: msit result CSV not found"):
        read_msit_csv(tmp_path / "nope.csv", layers_of_nodes)


def test_the_summary_names_the_npu_operator_and_its_line(layer_folder, inputs, reference, layers_of_nodes):
    path = layer_folder / "result_conv3_again.csv"
    msit_csv(path, onnx_layers(conv3_bias_shifted(layer_folder), inputs[1]).layers, reference)
    summary = read_msit_csv(path, layers_of_nodes).summary()
    assert summary.startswith("msit result_conv3_again.csv: first diverging layer conv3 at /conv3/Conv (line 8) (")
