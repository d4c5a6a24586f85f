"""Full-size inference past the whole-image limit runs as exact-halo tiles: the same output, bounded memory."""
import numpy as np

from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.score import fullsize
from tests.conftest import WEIGHTS


def test_a_plane_past_the_limit_is_tiled_and_equals_whole_image_inference(monkeypatch):
    plane = np.random.default_rng(0).random((300, 420), dtype=np.float32)
    calls = []
    with PyTorchRunner(WEIGHTS) as runner:
        whole = runner.infer(plane[None, None])[0, 0]
        original = runner.infer
        monkeypatch.setattr(runner, "infer", lambda batch: calls.append(batch.shape) or original(batch))
        monkeypatch.setattr(fullsize, "WHOLE_IMAGE_PIXELS", 200 * 200)
        monkeypatch.setattr(fullsize, "TILE", 128)
        tiled = fullsize.bounded_inference(runner, plane)
    assert all(shape[2:] == (128, 128) for shape in calls) and len(calls) > 1
    assert np.abs(tiled - whole).max() <= 1e-5
