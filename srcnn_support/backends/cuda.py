"""Whatever CUDA runtime is installed: ONNX Runtime's CUDA provider, else PyTorch CUDA in fp16."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import MissingRuntimeError
from ..model import load_model
from .base import Runner, RunnerInfo
from .onnxruntime import OnnxRuntimeRunner


def _ort_cuda() -> bool:
    try:
        import onnxruntime as ort

        return "CUDAExecutionProvider" in ort.get_available_providers()
    except ImportError:
        return False


def torch_cuda_available() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


def missing_cuda_runtime() -> str | None:
    if _ort_cuda() or torch_cuda_available():
        return None
    return ("no CUDA runtime: onnxruntime has no CUDAExecutionProvider (install onnxruntime-gpu) and "
            "torch.cuda.is_available() is False (CPU-only torch build or no GPU)")


class TorchCudaRunner(Runner):
    name = "torch-cuda-fp16"

    def __init__(self, weights: Path, device: int = 0) -> None:
        super().__init__()
        self.weights = weights
        self.device = device
        self._model = None

    def activate_impl(self) -> None:
        import torch

        if not torch.cuda.is_available():
            raise MissingRuntimeError(self.name, "torch.cuda.is_available() is False")
        self._model = load_model(self.weights).half().to(f"cuda:{self.device}")

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            x = torch.from_numpy(batch).to(f"cuda:{self.device}").half()
            y = self._model(x).float().cpu().numpy()
        return y

    def deactivate_impl(self) -> None:
        self._model = None

    def info(self) -> RunnerInfo:
        import torch

        return RunnerInfo(self.name, "fp16", {"torch": torch.__version__, "cuda": str(torch.version.cuda)},
                          {"gpu": torch.cuda.get_device_name(self.device) if torch.cuda.is_available() else "none"})


def cuda_runner(onnx_path: Path, weights: Path, device: int = 0) -> Runner:
    if _ort_cuda():
        return OnnxRuntimeRunner(onnx_path, providers=["CUDAExecutionProvider"], name="onnxruntime-cuda")
    if torch_cuda_available():
        return TorchCudaRunner(weights, device)
    raise MissingRuntimeError("cuda", missing_cuda_runtime() or "no CUDA runtime")
