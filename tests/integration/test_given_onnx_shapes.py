"""``--onnx`` with the guide's fixed-shape exports runs the accuracy gate; a x3 model stops it at start."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pytest
import torch

from srcnn_support.export.onnx_export import INPUT_NAME, export_onnx
from srcnn_support.model.network import SRCNN, load_model
from tests.conftest import ROOT, SET5, WEIGHTS


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    work = tmp_path_factory.mktemp("given-shapes")
    export_onnx(load_model(WEIGHTS), work / "bs16.onnx", 16)
    x3 = torch.nn.Sequential(SRCNN(), torch.nn.Upsample(scale_factor=3)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(x3, (torch.zeros(1, 1, 256, 256),), str(work / "x3.onnx"), input_names=[INPUT_NAME],
                          output_names=["out"], opset_version=17, dynamo=False)
    return work


def _gate(tmp_path, onnx, keyword: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "accuracy", "-k", keyword,
               f"--weights={WEIGHTS}", f"--onnx={onnx}", f"--dataset-dir={SET5}", f"--artifacts-dir={tmp_path / 'art'}",
               f"--results-json={tmp_path / 'results.json'}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(not SET5.is_dir(), reason=f"Set5 not found at {SET5}")
def test_a_x3_model_stops_the_session_at_start_with_one_line(models, tmp_path):
    result = _gate(tmp_path, models / "x3.onnx", "onnxruntime")
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "x3.onnx: output 'out' is" in line]
    assert len(lines) == 1 and "[1, 1, 768, 768] for an input of [1, 1, 256, 256]" in lines[0]
    assert "backend broken" not in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(not SET5.is_dir(), reason="Set5 not found")
def test_the_guides_bs16_export_passes_the_crops_and_the_full_size_protocol(models, tmp_path):
    """Crops: equal to PyTorch (max-abs 1e-4); full size: 256 x 256 tiles, each image's PSNR as PyTorch's
    whole-image one but for the zero-padded band of an image narrower than 256 (woman, 228 px wide).

    PyTorch's whole-image figures come from ``evaluate``: in the gate, the full-size fp32 figures come from the
    fastest exact backend, which runs the given fixed-shape model through tiles as well."""
    from srcnn_support.cli.evaluate import evaluate

    keyword = ("(output_equals_pytorch and onnxruntime and not fp16 and not int8) or "
               "(full_size_beats_bicubic and onnxruntime and not fp16 and not int8 and not cuda)")
    result = _gate(tmp_path, models / "bs16.onnx", keyword)
    assert result.returncode == 0, result.stdout[-3000:]
    full = json.loads((tmp_path / "results.json").read_text())["meta"]["full_size"]
    mine = {s["image"]: s["psnr"] for s in full["onnxruntime"]["per_image"]}
    reference = evaluate(WEIGHTS, SET5, "pytorch", "full", tmp_path / "whole", lambda line: None)
    whole = {row["image"]: row["psnr"] for row in reference["images"]}
    print({name: round(mine[name] - whole[name], 6) for name in mine})
    assert sorted(mine) == ["baby", "bird", "butterfly", "head", "woman"]
    assert all(abs(mine[name] - whole[name]) < (0.01 if name == "woman" else 1e-4) for name in mine)
