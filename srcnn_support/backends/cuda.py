"""Whatever CUDA runtime is installed: PyTorch CUDA (graphs, fp16) first, else ONNX Runtime's CUDA provider.

ONNX Runtime lists ``CUDAExecutionProvider`` whenever it was built with it, even when the CUDA or
cuDNN libraries it needs cannot be loaded; a session asked for it then runs on the CPU. So the
provider counts as usable only when a probe session really got it (``session.get_providers()``).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from srcnn_support.backends.base import Runner
from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.backends.torch_cuda import TorchCudaGraphRunner, missing_torch_cuda
from srcnn_support.errors import MissingRuntimeError

CUDA_PROVIDER = "CUDAExecutionProvider"


def torch_cuda_available() -> bool:
    return missing_torch_cuda() is None


def _probe_model() -> bytes:
    from onnx import TensorProto, helper

    value = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "cuda_probe", [value],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


@lru_cache(maxsize=None)
def missing_onnxruntime_cuda() -> str | None:
    """None when an ONNX Runtime session really runs on the CUDA provider here, else why not."""
    try:
        import onnxruntime as ort
    except ImportError:
        return "python package 'onnxruntime' is not installed"
    if CUDA_PROVIDER not in ort.get_available_providers():
        return f"onnxruntime {ort.__version__} has no {CUDA_PROVIDER} (install onnxruntime-gpu)"
    session = ort.InferenceSession(_probe_model(), providers=[CUDA_PROVIDER])
    if CUDA_PROVIDER not in session.get_providers():
        return (f"onnxruntime {ort.__version__} lists {CUDA_PROVIDER} but a session asked for it runs on "
                f"{', '.join(session.get_providers())} (CUDA/cuDNN libraries could not be loaded)")
    return None


def missing_cuda_runtime() -> str | None:
    torch_missing = missing_torch_cuda()
    if torch_missing is None:
        return None
    ort_missing = missing_onnxruntime_cuda()
    if ort_missing is None:
        return None
    return f"no CUDA runtime: {ort_missing}; {torch_missing}"


def cuda_runner(onnx_path: Path, weights: Path, device: int = 0) -> Runner:
    if torch_cuda_available():
        return TorchCudaGraphRunner(weights, device, "fp16")
    if missing_onnxruntime_cuda() is None:
        return onnxruntime_cuda_runner(onnx_path)
    raise MissingRuntimeError("cuda", missing_cuda_runtime() or "no CUDA runtime")


def onnxruntime_cuda_runner(onnx_path: Path) -> OnnxRuntimeRunner:
    """Asks for the CUDA provider alone: ``OnnxRuntimeRunner`` refuses a session that fell back to the CPU."""
    return OnnxRuntimeRunner(onnx_path, providers=[CUDA_PROVIDER], name="onnxruntime-cuda")
