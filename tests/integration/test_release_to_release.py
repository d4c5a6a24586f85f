"""Issue 21 "must show": accept a run, gate the same weights against it (deltas 0), then weights that lose real
quality on every image fail on the baseline checks alone, naming each image, while the 1% and bicubic rules pass."""
import json
import os
import subprocess
import sys

import pytest
import torch

from srcnn_support.model.network import read_weights
from tests.conftest import ROOT, SET5, WEIGHTS

pytestmark = pytest.mark.slow

SELECTION = ["-m", "accuracy", "-k", "(pytorch or onnxruntime) and not int8 and not fp16 "
                                     "and (vs_accepted or bicubic or live_reference)"]
BIAS_SHIFT = -0.0015  # conv3's bias: 0.07 to 0.35 dB of standard PSNR lost on each Set5 image (measured)


def _gate(artifacts, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *SELECTION,
                           f"--dataset-dir={SET5}", f"--artifacts-dir={artifacts}", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def _accept(artifacts, store):
    return subprocess.run([sys.executable, "-m", "srcnn_support", "accept", "--results", str(artifacts),
                           "--store", str(store)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)


def _checks(artifacts) -> list[dict]:
    return json.loads((artifacts / "run.json").read_text())["checks"]


@pytest.mark.skipif(not SET5.is_dir(), reason=f"needs Set5 at {SET5}")
def test_accept_then_same_weights_pass_and_weights_that_lose_quality_fail_on_the_baseline_only(tmp_path):
    store, shared = tmp_path / "releases", tmp_path / "artifacts"
    first = _gate(shared)
    assert first.returncode == 0, first.stdout[-3000:]
    accepted = _accept(shared, store)
    assert accepted.returncode == 0 and accepted.stdout.startswith("accepted release 1: "), accepted.stdout

    again = _gate(shared, f"--baseline={store}")
    assert again.returncode == 0, again.stdout[-3000:]
    compared = [c for c in _checks(shared) if c["check"].endswith("_vs_accepted")]
    assert len(compared) == 2 * 5 * 4  # 2 backends x 5 images x (standard PSNR, SSIM, guide PSNR, output bits)
    assert all(c["verdict"] == "pass" for c in compared)
    assert all(c["measured"] == c["reference"] for c in compared if c["measured"] is not None)  # deltas 0
    assert "compared with accepted release 1" in again.stdout

    state, _ = read_weights(WEIGHTS)
    state["conv3.bias"] = state["conv3.bias"] + BIAS_SHIFT
    worse = tmp_path / "worse.pth"
    torch.save(state, worse)
    regressed = _gate(shared, f"--baseline={store}", f"--weights={worse}")
    assert regressed.returncode == 1, regressed.stdout[-3000:]
    checks = _checks(shared)
    lost = {(c["backend"], c["image"]): c for c in checks if c["check"] == "standard_psnr_vs_accepted"}
    assert {image for _, image in lost} == {p.stem for p in SET5.iterdir()}
    assert all(c["verdict"] == "fail" and c["reference"] - c["measured"] > 0.05 for c in lost.values())
    assert all(f"{image}/{backend}: standard PSNR " in regressed.stdout for backend, image in lost)
    others = [c for c in checks if not c["check"].endswith("_vs_accepted")]
    assert others and all(c["verdict"] in ("pass", "skip") for c in others), others
    assert any(c["check"] == "guide_psnr_vs_live_reference" and c["verdict"] == "pass" for c in others)
    assert any(c["check"] == "standard_psnr_beats_bicubic" and c["verdict"] == "pass" for c in others)
    outputs = [c for c in checks if c["check"] == "outputs_vs_accepted"]
    assert outputs and all(c["verdict"] == "skip" and "weights changed" in c["reason"] for c in outputs)
