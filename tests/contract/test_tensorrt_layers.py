"""TensorRT layer by layer (8.6, 10, 11) against the emulated ``tensorrt`` / ``polygraphy.cuda`` of
``emulators/tensorrt_api_emulator.py``: the marked copy's engine, its several outputs and their types (fp16 on 11),
and the unmodified engine beside it. The emulator runs the ONNX models with ONNX Runtime: nothing here says
anything about TensorRT's kernels, only that the suite drives the API as NVIDIA's sources define it."""
from __future__ import annotations

import pytest

from srcnn_support.cache import ArtifactCache
from srcnn_support.layers.live import _tensorrt_capture, compare_capture
from tests.conftest import SET5
from tests.layer_faults import conv2_weights_scaled, conv3_bias_shifted, exported_model, set5_planes

from .emulators import tensorrt_api_emulator as emulator
from .test_tensorrt_api_contract import install

pytestmark = [pytest.mark.contract, pytest.mark.skipif(not SET5.is_dir(), reason=f"Set5 not found at {SET5}")]


@pytest.fixture(scope="module")
def inputs():
    return set5_planes(count=1, size=256)  # the engines' profile is 256 x 256


@pytest.fixture(scope="module")
def reference(inputs):
    from srcnn_support.layers.capture import pytorch_layers
    from srcnn_support.model.network import load_model
    from tests.conftest import WEIGHTS

    return pytorch_layers(load_model(WEIGHTS), inputs[1])


@pytest.mark.parametrize("version", ["8.6.1", "10.16.0", "11.1.0"])
def test_the_marked_engine_returns_every_layer_and_leaves_the_output_unchanged(monkeypatch, tmp_path, inputs,
                                                                               reference, version):
    install(monkeypatch, version)
    capture = _tensorrt_capture(ArtifactCache(tmp_path / "cache"), exported_model(tmp_path), inputs[1], device=1)
    result = compare_capture("tensorrt", "fp16", capture, *inputs[:1], reference)
    assert result.first_divergence is None and result.final_output_change == 0.0
    assert {c for c in emulator.CALLS if c[0] == "cudaSetDevice"} == {("cudaSetDevice", 1)}
    fp16_network = version.startswith("11")  # 11 builds the project's fp16 ONNX: its marked tensors are float16
    assert (result.rows[0].metrics.red > 1e-5) is fp16_network


@pytest.mark.parametrize(("fault", "layer"), [(conv2_weights_scaled, "conv2"), (conv3_bias_shifted, "conv3")])
def test_a_fault_is_named_through_tensorrt_as_through_onnxruntime(monkeypatch, tmp_path, inputs, reference, fault,
                                                                  layer):
    install(monkeypatch, "10.16.0")
    capture = _tensorrt_capture(ArtifactCache(tmp_path / "cache"), fault(tmp_path), inputs[1], device=0)
    result = compare_capture("tensorrt", "fp32", capture, *inputs[:1], reference)  # the emulator computes in fp32
    assert result.first_divergence == layer
