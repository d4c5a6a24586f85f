"""A given ONNX model with external data: its .data file counts in the sha256 and in derived cache keys."""
from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.cache import ArtifactCache, sha256_file
from srcnn_support.convert.quantize import quantized_model
from srcnn_support.export.onnx_export import export_onnx, external_data_files, onnx_sha256
from srcnn_support.model.network import load_model
from srcnn_support.plugin.fixtures import given_artifact_records
from tests.conftest import WEIGHTS

pytest.importorskip("onnxruntime")


def _save_external(proto: onnx.ModelProto, path) -> None:
    onnx.save_model(proto, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=f"{path.stem}.data", size_threshold=0)


@pytest.fixture
def external(tmp_path):
    """The project's export saved with its weights in ``m.data``, and the same with conv3's bias moved."""
    export_onnx(load_model(WEIGHTS), tmp_path / "inline.onnx", None)
    _save_external(onnx.load(str(tmp_path / "inline.onnx")), tmp_path / "m.onnx")
    proto = onnx.load(str(tmp_path / "inline.onnx"))
    bias = next(i for i in proto.graph.initializer if i.name == "conv3.bias")
    bias.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(bias) + np.float32(0.01), "conv3.bias"))
    (tmp_path / "changed").mkdir()
    _save_external(proto, tmp_path / "changed" / "m.onnx")
    return tmp_path


def test_the_data_file_is_found_and_counts_in_the_sha256(external):
    model, changed = external / "m.onnx", external / "changed" / "m.onnx"
    assert external_data_files(model) == [external / "m.data"]
    assert sha256_file(model) == sha256_file(changed)  # the .onnx files are the same bytes ...
    assert onnx_sha256(model) != onnx_sha256(changed)  # ... the models are not
    assert external_data_files(external / "inline.onnx") == []
    assert onnx_sha256(external / "inline.onnx") == sha256_file(external / "inline.onnx")


def test_the_reported_sha256_lists_the_data_file(external):
    (record,) = given_artifact_records(external / "m.onnx")
    assert record["sha256"] == onnx_sha256(external / "m.onnx")
    assert record["external_data"] == [{"path": str(external / "m.data"), "sha256": sha256_file(external / "m.data")}]
    (changed,) = given_artifact_records(external / "changed" / "m.onnx")
    assert changed["sha256"] != record["sha256"]


def test_a_changed_data_file_builds_a_new_fp16_model(external, tmp_path):
    cache = ArtifactCache(tmp_path / "cache")
    first = quantized_model(cache, external / "m.onnx", "fp16", None)
    second = quantized_model(cache, external / "changed" / "m.onnx", "fp16", None)
    assert first.parent != second.parent and len(cache.stats.built) == 2
    batch = np.random.default_rng(0).random((1, 1, 64, 64), dtype=np.float32)
    with OnnxRuntimeRunner(first) as a, OnnxRuntimeRunner(second) as b:
        assert abs(float(np.mean(b.infer(batch) - a.infer(batch))) - 0.01) < 1e-3  # the moved bias is in it
