"""Every checkpoint form people bring loads to the same weights, says what was unwrapped, and runs no code."""
import os

import pytest
import torch
from safetensors.torch import save_file

from srcnn_support.errors import SrcnnGateError
from srcnn_support.model.network import SRCNN, read_weights


@pytest.fixture(scope="module")
def plain() -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    return {k: v.clone() for k, v in SRCNN().state_dict().items()}


def _save(tmp_path, obj, name="w.pth"):
    path = tmp_path / name
    torch.save(obj, path)
    return path


def _assert_same(loaded, plain, atol=0.0):
    assert set(loaded) == set(plain)
    for key, value in plain.items():
        assert loaded[key].dtype == torch.float32
        torch.testing.assert_close(loaded[key], value, atol=atol, rtol=0)


def _optimizer_state(plain):
    model = SRCNN()
    model.load_state_dict(plain)
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.rand(1, 1, 16, 16)).mean().backward()
    optimizer.step()
    model.load_state_dict(plain)  # the step moved the weights; keep the compared ones
    return optimizer.state_dict()


def test_plain_state_dict_needs_no_unwrapping(tmp_path, plain):
    state, how = read_weights(_save(tmp_path, plain))
    _assert_same(state, plain)
    assert how == "torch.save zip"


@pytest.mark.parametrize("key", ["state_dict", "model", "model_state_dict", "net"])
def test_nested_checkpoint_with_epoch_and_optimizer(tmp_path, plain, key):
    path = _save(tmp_path, {"epoch": 17, key: plain, "optimizer": _optimizer_state(plain), "best_psnr": 36.4})
    state, how = read_weights(path)
    _assert_same(state, plain)
    assert f"unwrapped '{key}' (ignored best_psnr, epoch, optimizer)" in how


def test_nested_without_other_entries(tmp_path, plain):
    _, how = read_weights(_save(tmp_path, {"state_dict": plain}))
    assert how == "torch.save zip; unwrapped 'state_dict'"


def test_data_parallel_prefix_inside_a_checkpoint(tmp_path, plain):
    wrapped = torch.nn.DataParallel(SRCNN())
    wrapped.module.load_state_dict(plain)
    state, how = read_weights(_save(tmp_path, {"state_dict": wrapped.state_dict(), "epoch": 3}))
    _assert_same(state, plain)
    assert "stripped 'module.' prefix" in how


def test_fp16_tensors_are_widened(tmp_path, plain):
    state, how = read_weights(_save(tmp_path, {k: v.half() for k, v in plain.items()}))
    _assert_same(state, {k: v.half().float() for k, v in plain.items()})
    assert "converted float16 to float32" in how


def test_safetensors_file(tmp_path, plain):
    path = tmp_path / "w.safetensors"
    save_file({f"module.{k}": v.half().contiguous() for k, v in plain.items()}, str(path))
    state, how = read_weights(path)
    _assert_same(state, {k: v.half().float() for k, v in plain.items()})
    assert how == "safetensors; stripped 'module.' prefix; converted float16 to float32"


def test_damaged_safetensors_is_one_line(tmp_path, plain):
    path = tmp_path / "w.safetensors"
    save_file(plain, str(path))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(SrcnnGateError, match=r"w.safetensors: not a readable safetensors file") as info:
        read_weights(path)
    assert "\n" not in str(info.value)


def test_safetensors_with_wrong_keys_names_the_key(tmp_path, plain):
    path = tmp_path / "w.safetensors"
    save_file({("layer1.weight" if k == "conv1.weight" else k): v for k, v in plain.items()}, str(path))
    with pytest.raises(SrcnnGateError, match="missing key 'conv1.weight'"):
        read_weights(path)


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_code_inside_a_nested_checkpoint_is_refused_without_running(tmp_path, plain):
    marker = tmp_path / "ran"
    path = _save(tmp_path, {"state_dict": plain, "scheduler": _RunsCode(marker)}, "evil.pth")
    with pytest.raises(SrcnnGateError, match="evil.pth: refused to load: it would import"):
        read_weights(path)
    assert not marker.exists()


def test_whole_module_pickled_is_refused(tmp_path):
    with pytest.raises(SrcnnGateError, match="refused to load: it would import '.*SRCNN'"):
        read_weights(_save(tmp_path, {"model": SRCNN()}, "module.pth"))
