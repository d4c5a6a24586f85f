import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from srcnn_support.model.network import SRCNN
from tests.conftest import ROOT


@pytest.mark.slow
def test_two_runs_sharing_an_artifacts_dir_agree_and_build_once(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        Image.fromarray(rng.integers(0, 256, (270, 300, 3), dtype=np.uint8)).save(images / f"{name}.png")
    torch.manual_seed(0)
    torch.save(SRCNN().state_dict(), tmp_path / "w.pth")
    shared = tmp_path / "artifacts"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([sys.executable, "-m", "srcnn_support", "evaluate", "--weights", str(tmp_path / "w.pth"),
                              "--dataset-dir", str(images), "--backend", "onnxruntime", "--artifacts-dir", str(shared),
                              "--json", str(tmp_path / f"run{i}.json")], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True) for i in range(2)]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read()
    first, second = (json.loads((tmp_path / f"run{i}.json").read_text()) for i in range(2))
    assert first["images"] == second["images"]
    events = (shared / "cache" / "cache-events.log").read_text().splitlines()
    built = [line.split()[-1] for line in events if " built " in line]
    assert len(built) == len(set(built)) == 3  # two prepared images and one ONNX file, each built once
