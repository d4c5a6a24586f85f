import os
import pickle

import pytest
import torch

from srcnn_support.errors import SrcnnGateError
from srcnn_support.model.network import (
    EXPECTED_SHAPES,
    PARAMETER_COUNT,
    SRCNN,
    identify_weights,
    load_model,
    read_state_dict,
)


def test_parameter_count_and_keys():
    model = SRCNN()
    assert sum(p.numel() for p in model.parameters()) == PARAMETER_COUNT
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == EXPECTED_SHAPES


def test_output_size_equals_input_size():
    assert SRCNN()(torch.zeros(2, 1, 33, 17)).shape == (2, 1, 33, 17)


def test_official_format_loads(tmp_path):
    source = SRCNN()
    path = tmp_path / "plain.pth"
    torch.save(source.state_dict(), path)  # the reference repository saves a plain state dict
    loaded = load_model(path)
    for key, value in source.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value)
    assert identify_weights(path).size == path.stat().st_size


def _save(tmp_path, state):
    path = tmp_path / "w.pth"
    torch.save(state, path)
    return path


def test_missing_key_is_named(tmp_path):
    state = SRCNN().state_dict()
    del state["conv2.bias"]
    with pytest.raises(SrcnnGateError, match="missing key 'conv2.bias'"):
        read_state_dict(_save(tmp_path, state))


def test_unexpected_key_is_named(tmp_path):
    state = SRCNN().state_dict()
    state["conv4.weight"] = torch.zeros(1)
    with pytest.raises(SrcnnGateError, match="unexpected key 'conv4.weight'"):
        read_state_dict(_save(tmp_path, state))


def test_wrong_shape_is_named(tmp_path):
    state = SRCNN().state_dict()
    state["conv1.weight"] = torch.zeros(64, 3, 9, 9)
    with pytest.raises(SrcnnGateError, match=r"key 'conv1.weight' has shape \(64, 3, 9, 9\), expected \(64, 1, 9, 9\)"):
        read_state_dict(_save(tmp_path, state))


def test_non_finite_weights_are_refused(tmp_path):
    state = SRCNN().state_dict()
    state["conv3.bias"] = torch.tensor([float("nan")])
    with pytest.raises(SrcnnGateError, match="conv3.bias' holds NaN or Inf"):
        read_state_dict(_save(tmp_path, state))


def test_truncated_file(tmp_path):
    path = _save(tmp_path, SRCNN().state_dict())
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(SrcnnGateError, match="w.pth: not a readable PyTorch weights file"):
        read_state_dict(path)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("container", ["torch.save", "raw pickle"])
def test_code_executing_pickle_is_refused_without_running(tmp_path, container):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    payload = {"conv1.weight": _Exploit(marker)}
    if container == "torch.save":
        torch.save(payload, path)
    else:
        path.write_bytes(pickle.dumps(payload))
    with pytest.raises(SrcnnGateError, match="evil.pth: (refused to load|not a readable)"):
        read_state_dict(path)
    assert not marker.exists()


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(SrcnnGateError, match="weights file not found"):
        read_state_dict(tmp_path / "nope.pth")
    with pytest.raises(SrcnnGateError, match="is a directory"):
        read_state_dict(tmp_path)


def test_not_a_state_dict(tmp_path):
    with pytest.raises(SrcnnGateError, match="expected a state dict, found list"):
        read_state_dict(_save(tmp_path, [torch.zeros(1)]))
