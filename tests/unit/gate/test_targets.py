import json

import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import TARGETS_FILE
from srcnn_support.gate.targets import load_targets, missing_hardware


def test_shipped_targets():
    targets = load_targets(TARGETS_FILE)
    assert {"cpu", "t4", "ascend310", "cuda"} <= set(targets)
    ascend = targets["ascend310"]
    assert ascend.gated_batch_sizes == (1, 16) and ascend.recorded_batch_sizes == (4, 8, 32)
    assert ascend.gates_for(1)[0].threshold() == pytest.approx(1163.108)
    assert ascend.published["1"]["fps_per_card"] == pytest.approx(1392.152)
    assert all(g.provenance for t in targets.values() for g in t.gates)
    assert missing_hardware(targets["cpu"]) is None


def test_user_added_target_needs_no_python(tmp_path):
    path = tmp_path / "targets.json"
    path.write_text(json.dumps({"laptop": {
        "description": "my laptop", "backend": "onnxruntime", "precision": "fp32", "detect": {"kind": "always"},
        "gated_batch_sizes": [1], "gates": [{"kind": "min_fps", "batch_sizes": [1], "min_fps": 2.0,
                                             "tolerance": 0.5, "provenance": "mine"}]}}))
    laptop = load_targets(path)["laptop"]
    assert laptop.batch_sizes == (1,) and laptop.gates_for(1)[0].threshold() == pytest.approx(1.0)


def test_missing_npu_is_named(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    reason = missing_hardware(load_targets(TARGETS_FILE)["ascend310"])
    assert "npu-smi" in reason


def test_malformed_targets_file(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"x": {"description": "no backend"}}')
    with pytest.raises(SrcnnGateError, match="target 'x' is malformed"):
        load_targets(path)
    path.write_text("{nope")
    with pytest.raises(SrcnnGateError, match="not valid JSON"):
        load_targets(path)
