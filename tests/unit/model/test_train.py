from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from srcnn_support.model.network import read_state_dict
from srcnn_support.model.train import TrainConfig, learning_rate_at, load_pairs, split_pairs, train


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "train"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 256, (40, 44, 3), dtype=np.uint8)).save(folder / f"t{i}.png")
    return folder


def _config(data: Path) -> TrainConfig:
    return TrainConfig(data_dir=str(data), steps=4, batch_size=2, patch_size=16, warmup_steps=1, validate_every=2,
                       threads=1)


def test_training_is_repeatable_and_resumable(tmp_path, data):
    straight = train(_config(data), tmp_path / "a.pth", tmp_path / "a.ckpt", log=lambda _: None)
    assert straight["finished"] and straight["step"] == 4
    interrupted = train(_config(data), tmp_path / "b.pth", tmp_path / "b.ckpt", max_minutes=0.0, log=lambda _: None)
    assert not interrupted["finished"] and not (tmp_path / "b.pth").exists()
    resumed = train(_config(data), tmp_path / "b.pth", tmp_path / "b.ckpt", log=lambda _: None)
    assert resumed["finished"]
    again = train(_config(data), tmp_path / "c.pth", tmp_path / "c.ckpt", log=lambda _: None)
    a, b, c = (read_state_dict(tmp_path / f"{n}.pth") for n in "abc")
    for key in a:
        assert torch.equal(a[key], c[key]), "same seed, same weights"
        assert torch.equal(a[key], b[key]), "an interrupted and resumed run ends where a straight one does"
    assert (tmp_path / "a.train.json").exists() and again["validation"]


def test_validation_images_are_held_out(data):
    training, validation = split_pairs(load_pairs(data))
    assert {p.name for p in validation} == {"t0.png"} and len(training) == 2


def test_learning_rate_schedule():
    config = TrainConfig(data_dir="x", steps=100, warmup_steps=10, learning_rate=1e-3, final_learning_rate=1e-5)
    assert learning_rate_at(0, config) == pytest.approx(1e-4)
    assert learning_rate_at(10, config) == pytest.approx(1e-3)
    assert learning_rate_at(100, config) == pytest.approx(1e-5)
