"""A given ONNX model runs whatever its static input shape: fixed batch in chunks, fixed H x W as tiles."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME, check_onnx_file, export_onnx
from srcnn_support.model.network import SRCNN, load_model
from srcnn_support.prepare.imaging import crop_to_scale, degrade, load_rgb, network_input
from tests.conftest import SET5, WEIGHTS

pytest.importorskip("onnxruntime")


def _torch_export(model: torch.nn.Module, path, shape, axes: dict | None) -> None:
    """torch.onnx for the shapes the project's exporter does not write (output named 'out')."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.zeros(*shape),), str(path), input_names=[INPUT_NAME],
                          output_names=["out"], dynamic_axes=axes, opset_version=17, dynamo=False)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """The dynamic export, the guide's 1x1x256x256, bs16, and a dynamic batch with fixed 256 x 256."""
    work = tmp_path_factory.mktemp("shapes")
    model = load_model(WEIGHTS)
    export_onnx(model, work / "dynamic.onnx", None)
    export_onnx(model, work / "bs1.onnx", 1)
    export_onnx(model, work / "bs16.onnx", 16)
    _torch_export(model, work / "batch-only.onnx", (1, 1, 256, 256),
                  {INPUT_NAME: {0: "batch"}, "out": {0: "batch"}})
    return work


def _run(path, batch: np.ndarray) -> np.ndarray:
    with OnnxRuntimeRunner(path) as runner:
        return runner.infer(batch)


@pytest.mark.parametrize("name", ["bs1", "bs16", "batch-only"])
def test_crops_through_a_fixed_shape_model_equal_the_dynamic_export(models, name):
    batch = np.random.default_rng(0).random((3, 1, 256, 256), dtype=np.float32)  # bs16: one padded chunk
    with OnnxRuntimeRunner(models / f"{name}.onnx") as runner:
        assert runner.static_dims[1:] == (256, 256)
        out = runner.infer(batch)
    assert out.shape == batch.shape
    assert np.abs(out - _run(models / "dynamic.onnx", batch)).max() <= 1e-5


def test_a_fixed_batch_runs_more_images_than_it_holds_in_padded_chunks(models):
    batch = np.random.default_rng(1).random((18, 1, 256, 256), dtype=np.float32)
    assert np.abs(_run(models / "bs16.onnx", batch) - _run(models / "dynamic.onnx", batch)).max() <= 1e-5


@pytest.mark.skipif(not (SET5 / "baby.png").is_file(), reason="Set5 not found")
@pytest.mark.parametrize("name", ["bs1", "bs16"])
def test_a_full_size_image_runs_as_tiles_close_to_whole_image_inference(models, name):
    plane = network_input(np.asarray(degrade(crop_to_scale(load_rgb(SET5 / "baby.png"), 2), 2)))  # 512 x 512
    tiled = _run(models / f"{name}.onnx", plane[None, None])
    whole = _run(models / "dynamic.onnx", plane[None, None])
    difference = float(np.abs(tiled - whole).max())
    print(f"{name}: max abs tiled vs whole-image = {difference:.3g}")
    assert tiled.shape == whole.shape and difference <= 1e-5  # the halo is exact: only float rounding differs


class Upscale3(torch.nn.Module):
    """A x3 network: the output three times the input's size."""

    def __init__(self) -> None:
        super().__init__()
        self.net = SRCNN()

    def forward(self, x):
        return torch.nn.functional.interpolate(self.net(x), scale_factor=3, mode="nearest")


@pytest.mark.parametrize("axes", [None, {INPUT_NAME: {0: "b", 2: "h", 3: "w"}}], ids=["static", "dynamic"])
def test_a_x3_model_is_refused_naming_the_file_and_the_output(tmp_path, axes):
    path = tmp_path / "x3.onnx"
    _torch_export(Upscale3(), path, (1, 1, 64, 64), axes)
    fed = "[1, 1, 64, 64]" if axes is None else "[1, 1, 16, 16]"  # dynamic dims: one 16 x 16 probe inference
    with pytest.raises(SrcnnGateError) as raised:
        check_onnx_file(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: output 'out' is [1, 1, ") and "\n" not in message
    assert f"for an input of {fed}, expected {fed}" in message


def test_a_three_channel_output_is_refused(tmp_path):
    path = tmp_path / "rgb.onnx"
    _torch_export(torch.nn.Conv2d(1, 3, 3, padding=1), path, (1, 1, 32, 32), None)
    with pytest.raises(SrcnnGateError, match=r"rgb\.onnx: output 'out' is \[1, 3, 32, 32\] for an input of "):
        check_onnx_file(path)


def test_fp16_from_a_bs16_model_equals_fp16_from_the_dynamic_export(models, tmp_path):
    from srcnn_support.cache import ArtifactCache
    from srcnn_support.convert.quantize import quantized_model

    cache = ArtifactCache(tmp_path / "cache")
    batch = np.random.default_rng(2).random((3, 1, 64, 64), dtype=np.float32)
    fixed = _run(quantized_model(cache, models / "bs16.onnx", "fp16", None), batch)
    assert np.abs(fixed - _run(quantized_model(cache, models / "dynamic.onnx", "fp16", None), batch)).max() <= 1e-5
