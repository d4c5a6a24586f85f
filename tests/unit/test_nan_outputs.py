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
from srcnn_support.model.network import SRCNN
from srcnn_support.report.results import ResultsRecorder
from srcnn_support.score.accuracy import AccuracySession
from srcnn_support.score.evaluate import relative_deviation
from tests.gates import test_accuracy as gate


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
def test_non_finite_output_fails_every_gate_with_the_reason(session, backend):
    recorder = ResultsRecorder()
    for check in (lambda: gate.test_guide_psnr_within_1pct_of_live_reference(session, recorder, backend, "x"),
                  lambda: gate.test_standard_psnr_beats_bicubic(session, recorder, backend, "x"),
                  lambda: gate.test_mean_standard_gain_over_bicubic(session, recorder, backend)):
        with pytest.raises(pytest.fail.Exception, match="x/bad-(nan|inf): network output contains NaN or Inf"):
            check()
    with pytest.raises(AssertionError, match="max-abs inf"):
        gate.test_output_equals_pytorch(session, recorder, backend, "x")


def test_nan_never_counts_as_within_tolerance():
    assert relative_deviation(math.nan, 36.0) == math.inf
    assert not relative_deviation(math.nan, 36.0) <= 0.01
