
import numpy as np
import pytest
import torch

from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.backends.tiling import HALO, tile_starts, tiled_inference
from srcnn_support.export.onnx_export import export_onnx
from srcnn_support.model.network import SRCNN


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(3)
    return SRCNN().eval()


def test_tile_starts_cover_the_axis():
    assert tile_starts(200, 256) == [0]
    starts = tile_starts(1000, 256)
    assert starts[0] == 0 and starts[-1] == 1000 - 256
    assert all(b - a <= 256 - 2 * HALO for a, b in zip(starts, starts[1:], strict=False))


@pytest.mark.parametrize("shape", [(600, 517), (256, 700), (300, 256)])
def test_tiled_equals_whole_image(model, shape):
    plane = np.random.default_rng(0).random(shape, dtype=np.float32)
    with PyTorchRunner(model) as runner:
        whole = runner.infer(plane[None, None])[0, 0]
        tiled = tiled_inference(runner.infer, plane)
    assert np.abs(tiled - whole).max() < 1e-5


def test_tiled_with_a_fixed_shape_model(model, tmp_path):
    export_onnx(model, tmp_path / "bs2.onnx", batch_size=2)  # fixed N x 1 x 256 x 256, like an .om
    plane = np.random.default_rng(1).random((520, 610), dtype=np.float32)
    with OnnxRuntimeRunner(tmp_path / "bs2.onnx") as fixed, PyTorchRunner(model) as reference:
        def infer(batch):
            padded = np.concatenate([batch, batch[:1].repeat(2 - len(batch), 0)]) if len(batch) < 2 else batch
            return fixed.infer(padded)[: len(batch)]

        tiled = tiled_inference(infer, plane, batch_size=2)
        whole = reference.infer(plane[None, None])[0, 0]
    assert np.abs(tiled - whole).max() < 1e-5


def test_fixed_shape_inference_feeds_only_full_batches_of_full_tiles():
    from srcnn_support.backends.tiling import fixed_shape_inference

    seen = []

    def fixed_model(batch):
        seen.append(batch.shape)
        return batch * 2.0

    plane = np.random.default_rng(3).random((300, 200), dtype=np.float32)
    out = fixed_shape_inference(fixed_model, batch_size=4, tile=64)(plane)
    assert set(seen) == {(4, 1, 64, 64)}
    np.testing.assert_array_equal(out, plane * 2.0)  # elementwise model: tiling and padding are exact
