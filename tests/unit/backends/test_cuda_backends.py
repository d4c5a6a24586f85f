"""CUDA backends on a machine that may have no GPU: what is checked, refused and named without one.

ONNX Runtime lists ``CUDAExecutionProvider`` when its libraries cannot be
loaded, and a session asked for it runs on the CPU; a CPU result must never be reported as GPU.
"""
from __future__ import annotations

import pytest

from srcnn_support.backends import cuda
from srcnn_support.backends.factory import TORCH_CUDA_BACKENDS, missing_backend_runtime
from srcnn_support.backends.onnxruntime import require_granted_providers
from srcnn_support.backends.torch_cuda import (
    TorchCudaGraphRunner,
    _apply_cudnn_settings,
    _restore_cudnn_settings,
    missing_torch_cuda,
)
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.gate.config import DEFAULT_WEIGHTS

ort = pytest.importorskip("onnxruntime")
NO_ORT_CUDA = cuda.CUDA_PROVIDER not in ort.get_available_providers()


@pytest.fixture
def onnx_file(tmp_path):
    path = tmp_path / "probe.onnx"
    path.write_bytes(cuda._probe_model())
    return path


def test_refused_provider_is_named():
    with pytest.raises(MissingRuntimeError, match="asked for CUDAExecutionProvider but the session runs on "
                                                  "CPUExecutionProvider"):
        require_granted_providers("onnxruntime-cuda", ["CUDAExecutionProvider"], ["CPUExecutionProvider"])
    require_granted_providers("onnxruntime", ["CPUExecutionProvider"], ["CPUExecutionProvider"])


@pytest.mark.skipif(not NO_ORT_CUDA, reason="this onnxruntime has a CUDA provider; the fallback cannot be shown")
def test_real_session_asked_for_cuda_runs_on_cpu_here(onnx_file):
    """What finding 6 is about, shown with the real ONNX Runtime: asked for CUDA, it silently uses the CPU."""
    with pytest.warns(UserWarning):
        session = ort.InferenceSession(str(onnx_file), providers=[cuda.CUDA_PROVIDER])
    assert session.get_providers() == ["CPUExecutionProvider"]
    with pytest.raises(MissingRuntimeError, match="runs on CPUExecutionProvider"):
        require_granted_providers("onnxruntime-cuda", [cuda.CUDA_PROVIDER], session.get_providers())


@pytest.mark.skipif(not NO_ORT_CUDA, reason="this onnxruntime has a CUDA provider; the fallback cannot be shown")
def test_runner_refuses_listed_but_unloadable_cuda_provider(onnx_file, monkeypatch):
    """onnxruntime-gpu without CUDA libraries: the provider is listed, the session falls back to the CPU."""
    listed = [cuda.CUDA_PROVIDER, *ort.get_available_providers()]
    monkeypatch.setattr(ort, "get_available_providers", lambda: listed)
    runner = cuda.onnxruntime_cuda_runner(onnx_file)
    with pytest.warns(UserWarning), pytest.raises(MissingRuntimeError, match="a CPU result is not reported"):
        runner.activate()
    assert not runner.is_active and runner.session is None

    cuda.missing_onnxruntime_cuda.cache_clear()
    try:
        with pytest.warns(UserWarning):
            reason = cuda.missing_onnxruntime_cuda()
    finally:
        cuda.missing_onnxruntime_cuda.cache_clear()
    assert "lists CUDAExecutionProvider but a session asked for it runs on CPUExecutionProvider" in reason


@pytest.mark.skipif(not NO_ORT_CUDA, reason="this onnxruntime has a CUDA provider")
def test_cpu_onnxruntime_names_the_missing_provider():
    assert "has no CUDAExecutionProvider (install onnxruntime-gpu)" in cuda.missing_onnxruntime_cuda()
    assert "has no CUDAExecutionProvider" in missing_backend_runtime("onnxruntime-cuda")


@pytest.mark.skipif(missing_torch_cuda() is None, reason="torch sees a CUDA GPU here")
def test_no_gpu_skips_every_cuda_backend_with_the_reason():
    assert "torch.cuda.is_available() is False" in missing_torch_cuda()
    for backend in (*TORCH_CUDA_BACKENDS, "cuda"):
        assert "torch.cuda.is_available() is False" in missing_backend_runtime(backend)
    runner = TorchCudaGraphRunner(DEFAULT_WEIGHTS, precision="fp16")
    with pytest.raises(MissingRuntimeError, match="torch-cuda-fp16: torch.cuda.is_available"):
        runner.activate()
    with pytest.raises(MissingRuntimeError, match="no CUDA runtime"):
        cuda.cuda_runner(DEFAULT_WEIGHTS, DEFAULT_WEIGHTS)


def test_unknown_precision_is_refused():
    with pytest.raises(SrcnnGateError, match="precision 'int4' is not one of fp16, tf32"):
        TorchCudaGraphRunner(DEFAULT_WEIGHTS, precision="int4")


@pytest.mark.parametrize("tf32", [True, False])
def test_cudnn_settings_are_restored(tf32):
    """cuDNN flags are process-wide: a runner must leave them as it found them (checked on this torch)."""
    torch = pytest.importorskip("torch")
    cudnn = torch.backends.cudnn
    new_api = hasattr(getattr(cudnn, "conv", None), "fp32_precision")
    before = (cudnn.benchmark, cudnn.conv.fp32_precision if new_api else cudnn.allow_tf32)
    saved = _apply_cudnn_settings(torch, tf32)
    assert cudnn.benchmark is True
    precision = cudnn.conv.fp32_precision if new_api else cudnn.allow_tf32
    assert precision == ("tf32" if new_api else True) if tf32 else precision == before[1]
    _restore_cudnn_settings(torch, saved)
    assert (cudnn.benchmark, cudnn.conv.fp32_precision if new_api else cudnn.allow_tf32) == before
