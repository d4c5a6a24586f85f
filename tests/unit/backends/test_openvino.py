"""OpenVINO on the CPU: f32 equals PyTorch like any fp32 port; bf16 is offered only where the CPU runs it natively,
and a plugin that grants f32 where bf16 was asked is refused, never published under the bf16 name."""
from __future__ import annotations

import numpy as np
import pytest

from srcnn_support.backends.openvino import OpenVinoRunner, missing_native_bf16
from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.errors import MissingRuntimeError
from srcnn_support.export.onnx_export import export_onnx
from srcnn_support.gate.config import DEFAULT_WEIGHTS
from srcnn_support.model.network import load_model

pytest.importorskip("openvino")
ZEN3 = "model name\t: AMD EPYC 7B13\nflags\t\t: fpu avx fma avx2 bmi2\n"
SAPPHIRE_RAPIDS = "model name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: avx2 avx512f avx512_bf16 amx_bf16\n"
ZEN4 = "model name\t: AMD EPYC 9R14\nflags\t\t: avx2 avx512f avx512_vnni avx512_bf16\n"


@pytest.fixture(scope="module")
def free_shape_onnx(tmp_path_factory):
    path = tmp_path_factory.mktemp("ov") / "srcnn.onnx"
    export_onnx(load_model(DEFAULT_WEIGHTS), path, None)
    return path


def test_openvino_f32_equals_pytorch_on_any_batch_and_size(free_shape_onnx):
    batch = np.random.default_rng(0).random((2, 1, 48, 80), dtype=np.float32)
    with OpenVinoRunner(free_shape_onnx) as openvino, PyTorchRunner(DEFAULT_WEIGHTS) as pytorch:
        assert np.abs(openvino.infer(batch) - pytorch.infer(batch)).max() <= 1e-4
        square = batch[:1, :, :48, :48]
        assert np.abs(openvino.infer(square) - pytorch.infer(square)).max() <= 1e-4
        assert openvino.info().details["inference_precision"] == "f32"


@pytest.mark.parametrize("cpuinfo, offered", [(ZEN3, False), (SAPPHIRE_RAPIDS, True), (ZEN4, True)])
def test_bf16_is_offered_only_with_amx_bf16_or_avx512_bf16(cpuinfo, offered):
    reason = missing_native_bf16(cpuinfo)
    assert (reason is None) is offered
    if not offered:
        assert "AMD EPYC 7B13" in reason and "neither AMX-BF16 nor AVX-512 BF16" in reason


def test_a_bf16_request_granted_as_f32_is_refused(free_shape_onnx):
    runner = OpenVinoRunner(free_shape_onnx, precision="bf16", name="openvino-bf16")
    if missing_native_bf16() is None:  # a bf16 CPU: the plugin grants bf16, and the outputs stay close
        with runner:
            assert runner.info().details["inference_precision"] == "bf16"
        return
    with pytest.raises(MissingRuntimeError, match="granted f32 where bf16 was asked"):
        runner.activate()


def test_the_full_size_protocol_takes_the_fastest_exact_backend_installed(monkeypatch):
    from dataclasses import replace

    from srcnn_support.backends import registry

    assert registry.fastest_exact_backend() == "openvino"  # openvino is installed here (importorskip above)
    assert all(registry.backend(name).equals_pytorch for name in registry.FASTEST_EXACT_FIRST)
    without = replace(registry.BY_NAME["openvino"], missing=lambda given_om: "python package 'openvino' is absent")
    monkeypatch.setitem(registry.BY_NAME, "openvino", without)
    assert registry.fastest_exact_backend() == "onnxruntime"
