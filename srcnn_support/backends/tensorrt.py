"""TensorRT: the Python API (with PyTorch CUDA tensors as device buffers) or ``trtexec`` when on PATH."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ..errors import MissingRuntimeError, SrcnnGateError
from ..export import INPUT_NAME
from ..tools import job_timeout_s, run_tool
from .base import Runner, RunnerInfo
from .cuda import torch_cuda_available


def _tensorrt_module():
    try:
        import tensorrt

        return tensorrt
    except Exception:
        return None


def missing_tensorrt_runtime() -> str | None:
    if _tensorrt_module() is not None and torch_cuda_available():
        return None
    if shutil.which("trtexec"):
        return None
    parts = []
    if _tensorrt_module() is None:
        parts.append("python package 'tensorrt' is not importable")
    elif not torch_cuda_available():
        parts.append("no CUDA device visible to torch (needed for TensorRT buffers)")
    parts.append("no 'trtexec' on PATH")
    return "no TensorRT runtime: " + " and ".join(parts)


class TensorRTRunner(Runner):
    name = "tensorrt"

    def __init__(self, onnx_path: Path, fp16: bool = True) -> None:
        super().__init__()
        self.onnx_path = Path(onnx_path)
        self.fp16 = fp16
        self._engine = None
        self._context = None
        self._trtexec: str | None = None

    def activate_impl(self) -> None:
        reason = missing_tensorrt_runtime()
        if reason:
            raise MissingRuntimeError(self.name, reason)
        trt = _tensorrt_module()
        if trt is None or not torch_cuda_available():
            self._trtexec = shutil.which("trtexec")
            return
        logger = trt.Logger(trt.Logger.WARNING)
        builder = trt.Builder(logger)
        network = builder.create_network(0)
        parser = trt.OnnxParser(network, logger)
        if not parser.parse(self.onnx_path.read_bytes()):
            raise SrcnnGateError(self.onnx_path, f"TensorRT cannot parse the model: {parser.get_error(0)}")
        config = builder.create_builder_config()
        if self.fp16:
            config.set_flag(trt.BuilderFlag.FP16)
        profile = builder.create_optimization_profile()
        profile.set_shape(INPUT_NAME, (1, 1, 256, 256), (16, 1, 256, 256), (64, 1, 256, 256))
        config.add_optimization_profile(profile)
        serialized = builder.build_serialized_network(network, config)
        self._engine = trt.Runtime(logger).deserialize_cuda_engine(serialized)
        self._context = self._engine.create_execution_context()

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        if self._trtexec:
            return self._infer_with_trtexec(batch)
        import torch

        source = torch.from_numpy(batch).cuda()
        output_name = self._engine.get_tensor_name(1)
        self._context.set_input_shape(INPUT_NAME, tuple(batch.shape))
        result = torch.empty_like(source)
        self._context.set_tensor_address(INPUT_NAME, source.data_ptr())
        self._context.set_tensor_address(output_name, result.data_ptr())
        stream = torch.cuda.current_stream()
        self._context.execute_async_v3(stream.cuda_stream)
        stream.synchronize()
        return result.cpu().numpy()

    def _infer_with_trtexec(self, batch: np.ndarray) -> np.ndarray:
        with tempfile.TemporaryDirectory(prefix="srcnn-trtexec-") as tmp:
            source, exported = Path(tmp) / "input.bin", Path(tmp) / "output.json"
            source.write_bytes(batch.astype("<f4").tobytes())
            shape = "x".join(str(d) for d in batch.shape)
            command = [self._trtexec, f"--onnx={self.onnx_path}", f"--shapes={INPUT_NAME}:{shape}",
                       f"--loadInputs={INPUT_NAME}:{source}", f"--exportOutput={exported}", "--iterations=1"]
            if self.fp16:
                command.append("--fp16")
            run_tool(command, job_timeout_s())
            outputs = json.loads(exported.read_text())
            return np.asarray(outputs[0]["values"], dtype=np.float32).reshape(batch.shape)

    def deactivate_impl(self) -> None:
        self._context = None
        self._engine = None

    def info(self) -> RunnerInfo:
        trt = _tensorrt_module()
        versions = {"tensorrt": trt.__version__} if trt else {}
        return RunnerInfo(self.name, "fp16" if self.fp16 else "tf32", versions,
                          {"via": "trtexec" if self._trtexec else "tensorrt python API"})
