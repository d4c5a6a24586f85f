"""One RELEASE line everywhere: the terminal, report.md, report.html and the results JSON print the same line,
for a passing and for a failing run, and it agrees with pytest's exit status (a pytest subprocess each)."""
import html
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from srcnn_support.model.network import read_weights
from srcnn_support.prepare.datasets import sample_photos
from tests.conftest import ROOT, WEIGHTS

pytestmark = pytest.mark.slow


def _photos(folder):
    folder.mkdir()
    for source in sample_photos().files[:2]:
        picture = np.asarray(Image.open(source).convert("RGB"))[:300, :300]
        Image.fromarray(picture).save(folder / f"{source.stem}.png")
    return folder


def _run(tmp_path, *args):
    artifacts = tmp_path / "artifacts"
    env = {**os.environ, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                             f"--artifacts-dir={artifacts}", f"--results-json={artifacts / 'results.json'}", *args],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    return result, artifacts


def _lines(result, artifacts) -> dict[str, str]:
    terminal = [m.group(1) for m in re.finditer(r"^=+ (RELEASE [A-Z]+: .*?) =+$", result.stdout, re.M)]
    page = (artifacts / "report.html").read_text()
    return {
        "terminal": terminal[0] if len(terminal) == 1 else f"{len(terminal)} RELEASE lines",
        "report.md": (artifacts / "report.md").read_text().splitlines()[0],
        "report.html": html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<p class='verdict[^']*'>(.*?)</p>",
                                                                        page).group(1))),
        "results.json": json.loads((artifacts / "results.json").read_text())["release"]["headline"],
    }


SELECTION = ["-m", "accuracy", "-k", "onnxruntime and not int8 and not fp16 and (bicubic or live_reference)"]


def test_a_passing_run_prints_one_release_line_everywhere(tmp_path):
    result, artifacts = _run(tmp_path, *SELECTION, f"--dataset-dir={_photos(tmp_path / 'photos')}")
    lines = _lines(result, artifacts)
    assert result.returncode == 0, result.stdout[-3000:]
    assert len(set(lines.values())) == 1, lines
    assert lines["terminal"].startswith("RELEASE PASS: ")


def test_a_failing_run_prints_the_same_line_everywhere_and_fails(tmp_path):
    """Weights that lose to bicubic, wrapped as a training checkpoint (a form the loader accepts)."""
    state, _ = read_weights(WEIGHTS)
    state["conv3.bias"] = state["conv3.bias"] + 0.2  # every output 0.2 too bright: far below bicubic
    torch.save({"state_dict": state, "epoch": 3}, tmp_path / "ckpt.pth")
    result, artifacts = _run(tmp_path, *SELECTION, f"--dataset-dir={_photos(tmp_path / 'photos')}",
                             f"--weights={tmp_path / 'ckpt.pth'}")
    lines = _lines(result, artifacts)
    assert result.returncode == 1, result.stdout[-3000:]
    assert len(set(lines.values())) == 1, lines
    assert lines["terminal"].startswith("RELEASE FAIL: ")
    assert "standard_psnr_beats_bicubic: 2 (onnxruntime x 2 images" in lines["terminal"]
    failed_tests = int(re.search(r"(\d+) failed", result.stdout).group(1))
    document = json.loads((artifacts / "results.json").read_text())
    assert document["release"]["failed"] == failed_tests  # each failing test decided exactly one failed check


def test_full_size_checks_are_recorded_and_counted(tmp_path):
    result, artifacts = _run(tmp_path, "-m", "accuracy", "-k", "full_size and pytorch",
                             f"--dataset-dir={_photos(tmp_path / 'photos')}")
    lines = _lines(result, artifacts)
    assert result.returncode == 0, result.stdout[-3000:]
    assert len(set(lines.values())) == 1, lines
    assert lines["terminal"].startswith("RELEASE PASS: 1 of 1 checks passed")
