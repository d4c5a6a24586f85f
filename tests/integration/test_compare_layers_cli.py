"""``python -m srcnn_support compare-layers`` as a user runs it: a given ONNX broken in conv2, an msit CSV alone."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SET5
from tests.layer_faults import conv2_weights_scaled, conv3_bias_shifted

pytestmark = pytest.mark.skipif(not SET5.is_dir(), reason=f"Set5 not found at {SET5}")


def _run(*args):
    return subprocess.run([sys.executable, "-m", "srcnn_support", "compare-layers", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def test_a_given_onnx_with_conv2_scaled_names_conv2_and_fails(tmp_path):
    model = conv2_weights_scaled(tmp_path)
    result = _run("--onnx", model, "--dataset-dir", SET5, "--artifacts-dir", tmp_path / "art",
                  "--json", tmp_path / "layers.json")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "first divergence: conv2"
    assert any(line.startswith("conv1 ") and line.endswith(" ok") for line in lines)
    assert any(line.startswith("relu1 ") and line.endswith(" ok") for line in lines)
    document = json.loads((tmp_path / "layers.json").read_text())
    (comparison,) = document["comparisons"]
    assert comparison["first_divergence"] == "conv2" and comparison["classification"] == "global"
    assert comparison["final_output_change"] == 0.0
    assert [row["layer"] for row in comparison["rows"]] == ["conv1", "relu1", "conv2", "relu2", "conv3"]


def test_a_malformed_msit_csv_is_one_line_and_exit_2(tmp_path):
    csv = tmp_path / "result_20240101.csv"
    csv.write_text("Index,OpType\n1,Conv2D\n")
    result = _run("--msit-csv", csv, "--artifacts-dir", tmp_path / "art")
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: {csv}: not an msit compare result: the header lacks NPUDump, "
                                     "GroundTruth, TensorIndex, CosineSimilarity (it has Index, OpType)")
    assert result.stdout == ""


def test_dump_folders_go_in_pairs(tmp_path):
    result = _run("--golden-dump", tmp_path)
    assert result.returncode == 2
    assert "--golden-dump and --my-dump go together" in result.stderr


@pytest.mark.slow
def test_the_gate_names_the_first_diverging_layer_of_a_given_onnx(tmp_path):
    """``pytest -m accuracy --onnx`` on a model whose conv3 bias is shifted: the failure names conv3."""
    model = conv3_bias_shifted(tmp_path)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "accuracy",
               "-k", "output_equals_pytorch and onnxruntime and not fp16 and not int8 and baby",
               f"--dataset-dir={SET5}", f"--onnx={model}", f"--artifacts-dir={tmp_path / 'art'}"]
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "onnxruntime: first diverging layer conv3 (RelativeEuclideanDistance" in result.stdout
    assert "clean before it: conv1, relu1, conv2, relu2; global" in result.stdout
    assert "### onnxruntime: first divergence conv3 (global; 5 images)" in (tmp_path / "art" / "report.md").read_text()
