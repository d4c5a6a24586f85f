"""``--onnx PATH``: the user's own model is gated instead of one exported from the weights."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from srcnn_support.backends.factory import RunnerOptions, make_runner
from srcnn_support.cache import ArtifactCache, sha256_file
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import export_onnx
from srcnn_support.model.network import SRCNN
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """The weights, an ONNX exported from them, and one exported from other weights."""
    work = tmp_path_factory.mktemp("given-onnx")
    torch.manual_seed(0)
    model = SRCNN()
    torch.save(model.state_dict(), work / "w.pth")
    export_onnx(model, work / "same.onnx", None)
    torch.manual_seed(1)
    export_onnx(SRCNN(), work / "other.onnx", None)
    return work


def test_given_model_is_used_as_is_and_nothing_is_exported(models, tmp_path):
    cache = ArtifactCache(tmp_path / "cache")
    built = make_runner("onnxruntime", cache, models / "w.pth", 1, RunnerOptions(onnx=models / "other.onnx"))
    assert built.runner.onnx_path == models / "other.onnx"
    assert not [label for label in cache.stats.built if label.startswith("onnx/")]


def test_a_file_that_is_not_onnx_is_refused_naming_it(models, tmp_path):
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(SrcnnGateError, match=r"model\.onnx: not a valid ONNX model"):
        make_runner("onnxruntime", ArtifactCache(tmp_path / "cache"), models / "w.pth", 1, RunnerOptions(onnx=bad))


def _accuracy_run(models, tmp_path, onnx: str) -> tuple[subprocess.CompletedProcess, dict]:
    results = tmp_path / "results.json"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "accuracy",
               "-k", "output_equals_pytorch and onnxruntime and not fp16 and not int8",
               f"--weights={models / 'w.pth'}", f"--onnx={models / onnx}", f"--artifacts-dir={tmp_path / 'art'}",
               f"--results-json={results}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return result, json.loads(results.read_text())


@pytest.mark.slow
def test_given_onnx_is_gated_against_the_weights_reference_and_hashed_in_the_report(models, tmp_path):
    result, results = _accuracy_run(models, tmp_path, "same.onnx")
    assert result.returncode == 0, result.stdout[-2000:]
    assert results["meta"]["given_artifacts"] == [
        {"kind": "onnx", "path": str(models / "same.onnx"), "sha256": sha256_file(models / "same.onnx")}]
    assert sha256_file(models / "same.onnx") in (tmp_path / "art" / "report.md").read_text()
    other, _ = _accuracy_run(models, tmp_path / "other", "other.onnx")
    assert other.returncode == 1 and "output differs from PyTorch's" in other.stdout
