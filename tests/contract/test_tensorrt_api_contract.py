"""The TensorRT Python API path (8.6, 10, 11) against an emulated ``tensorrt`` and ``polygraphy.cuda``.

``emulators/tensorrt_api_emulator.py`` keeps the API surface that differs between versions
(EXPLICIT_BATCH, BuilderFlag.FP16, bool returns of set_input_shape / execute_async_v3) and runs
the ONNX model with ONNX Runtime; nothing here says anything about a GPU.
"""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest
import torch

from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.backends.tensorrt import TensorRTRunner, tensorrt_runner
from srcnn_support.backends.tensorrt_api import ApiSession
from srcnn_support.cache import ArtifactCache
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import export_onnx
from srcnn_support.model.network import SRCNN

from .emulators import tensorrt_api_emulator as emulator

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
def fp32_onnx(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("trt-api") / "m.onnx"
    export_onnx(SRCNN(), path, None)
    return path


def install(monkeypatch, version: str) -> None:
    polygraphy = types.ModuleType("polygraphy")
    polygraphy.cuda = emulator.make_polygraphy_cuda()
    monkeypatch.setitem(sys.modules, "tensorrt", emulator.make_tensorrt(version))
    monkeypatch.setitem(sys.modules, "polygraphy", polygraphy)
    monkeypatch.setitem(sys.modules, "polygraphy.cuda", polygraphy.cuda)
    monkeypatch.setattr("srcnn_support.convert.trt_engine.gpu_name", lambda device: "Emulated GPU")
    monkeypatch.setattr("srcnn_support.backends.tensorrt_api.TIMED_QUERIES", 3)
    monkeypatch.setattr("srcnn_support.backends.tensorrt_api.WARMUP_QUERIES", 1)
    emulator.CALLS.clear()


@pytest.mark.parametrize("version, flags", [("8.6.1", 1), ("10.16.0", 0), ("11.1.0", 0)])
def test_api_runner_per_version(monkeypatch, tmp_path, fp32_onnx, version, flags):
    install(monkeypatch, version)
    cache = ArtifactCache(tmp_path / "cache")
    batch = np.random.default_rng(0).random((3, 1, 256, 256), dtype=np.float32)
    with tensorrt_runner(cache, fp32_onnx, device=2) as runner, OnnxRuntimeRunner(fp32_onnx) as fp32:
        assert isinstance(runner, TensorRTRunner)
        difference = np.abs(runner.infer(batch) - fp32.infer(batch)).max()
        figure = runner.tool_figure(batch[:1])
    assert ("create_network", flags) in emulator.CALLS, "explicit batch on 8.x, flags 0 from 10"
    assert {c for c in emulator.CALLS if c[0] == "cudaSetDevice"} == {("cudaSetDevice", 2)}
    if version.startswith("11"):
        assert cache.stats.built[0].startswith("quantized/"), "11: fp16 comes from the fp16 ONNX model"
        assert 0 < difference < 1e-2
    else:
        assert difference < 1e-5, "the emulator computes the fp32 model; the FP16 flag is TensorRT's business"
    assert figure.batch_size == 1 and figure.compute_fps > 0 and figure.mean_latency_ms > 0
    assert runner.info().versions == {"tensorrt": version} and runner.info().precision == "fp16"
    assert not emulator.MEMORY, "device buffers are freed on deactivate"


def test_shape_outside_profile_is_an_error_not_uninitialised_memory(monkeypatch, tmp_path, fp32_onnx):
    install(monkeypatch, "10.16.0")
    with tensorrt_runner(ArtifactCache(tmp_path / "cache"), fp32_onnx) as runner:
        session: ApiSession = runner._session
        with pytest.raises(SrcnnGateError, match="outside the engine's optimisation profile"):
            session.run(np.zeros((65, 1, 256, 256), np.float32))
        with pytest.raises(SrcnnGateError, match="outside the engine's profile"):
            runner.infer(np.zeros((1, 1, 128, 128), np.float32))


def test_failed_execution_is_an_error(monkeypatch, tmp_path, fp32_onnx):
    install(monkeypatch, "10.16.0")
    with tensorrt_runner(ArtifactCache(tmp_path / "cache"), fp32_onnx) as runner:
        monkeypatch.setattr(runner._session.context, "execute_async_v3", lambda stream: False)
        with pytest.raises(SrcnnGateError, match="execute_async_v3 failed"):
            runner.infer(np.zeros((1, 1, 256, 256), np.float32))


def test_no_cuda_device_means_no_python_api_and_says_so(monkeypatch, tmp_path):
    from srcnn_support.backends.tensorrt import missing_tensorrt_runtime

    install(monkeypatch, "10.16.0")
    monkeypatch.setenv("PATH", str(tmp_path))  # and no trtexec
    monkeypatch.setattr(emulator._Cudart, "devices", 0)
    assert missing_tensorrt_runtime() == ("no TensorRT runtime: 'tensorrt' is importable but libcudart sees no "
                                          "CUDA device and no 'trtexec' on PATH")


def test_engine_from_another_version_is_refused(monkeypatch, tmp_path, fp32_onnx):
    install(monkeypatch, "10.16.0")
    runner = tensorrt_runner(ArtifactCache(tmp_path / "cache"), fp32_onnx)
    install(monkeypatch, "11.1.0")
    with pytest.raises(SrcnnGateError, match="cannot deserialize"):
        runner.activate()
