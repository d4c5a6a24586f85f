"""A backend that returns NaN or Inf must fail the gate with that reason: never pass, never crash."""
import math

import numpy as np
import pytest
import torch
from PIL import Image

from srcnn_support.backends.base import Runner, RunnerInfo
from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.cache import ArtifactCache
from srcnn_support.convert.artifacts import prepared_images
from srcnn_support.gate.accuracy_rules import beats_bicubic_check, max_abs_check, mean_gain_over_bicubic_check
from srcnn_support.gate.verdicts import relative_check
from srcnn_support.model.network import SRCNN
from srcnn_support.prepare.guide_files import Layout
from srcnn_support.score.accuracy import RELATIVE_TOLERANCE, AccuracySession
from srcnn_support.score.evaluate import relative_deviation


class PoisonedRunner(Runner):
    name = "poisoned"

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def activate_impl(self) -> None:
        pass

    def infer_impl(self, batch):
        out = batch.copy()
        out[:, :, 10, 10] = self.value
        return out

    def info(self) -> RunnerInfo:
        return RunnerInfo("poisoned", "fp32")


@pytest.fixture
def session(tmp_path, monkeypatch):
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8)).save(tmp_path / "x.png")
    torch.manual_seed(0)
    torch.save(SRCNN().state_dict(), tmp_path / "w.pth")
    images = prepared_images(ArtifactCache(tmp_path / "cache"), [tmp_path / "x.png"])
    accuracy = AccuracySession(ArtifactCache(tmp_path / "cache"), tmp_path / "w.pth", images)

    def make(backend):
        if backend == "pytorch":
            return PyTorchRunner(tmp_path / "w.pth"), False
        return PoisonedRunner(float(backend.split("-")[1])), False

    monkeypatch.setattr(accuracy, "_make_runner", make)
    return accuracy


@pytest.mark.parametrize("backend", ["bad-nan", "bad-inf"])
def test_non_finite_output_fails_every_rule(session, backend):
    score = session.outcome(backend).scores["x"]
    reference = session.reference.scores["x"]
    assert not score.finite
    verdicts = [relative_check(backend, "x", "guide_psnr_vs_live_reference", score.guide_psnr_guide_layout,
                               reference.guide_psnr_natural_clamped, RELATIVE_TOLERANCE),
                beats_bicubic_check(backend, "x", score.standard_psnr, score.bicubic_psnr),
                mean_gain_over_bicubic_check(backend, [score.standard_psnr], [score.bicubic_psnr]),
                max_abs_check(backend, "x", Layout.GUIDE.value,
                              session.max_abs_vs_reference(backend, "x", Layout.GUIDE))]
    assert [v.passed for v in verdicts] == [False] * 4
    assert "max-abs inf" in verdicts[-1].explanation


def test_nan_never_counts_as_within_tolerance():
    assert relative_deviation(math.nan, 36.0) == math.inf
    assert not relative_deviation(math.nan, 36.0) <= 0.01
