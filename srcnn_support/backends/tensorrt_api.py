"""TensorRT runs through its Python API (8.6, 10, 11), device memory through Polygraphy's CUDA wrapper.

Checked against NVIDIA/TensorRT ``python/src/infer/pyCore.cpp`` (v8.6.1, v10.16, v11.1):
``set_input_shape``, ``set_tensor_address`` and ``execute_async_v3`` return a bool that must be
checked (a shape outside the profile otherwise leaves the output buffer uninitialised). Buffers,
streams and CUDA events come from libcudart through ``polygraphy.cuda`` (no torch, no cuda-python);
GPU compute is timed with CUDA events around ``execute_async_v3``, as trtexec times it. The engine
itself is built in ``convert/trt_api_build.py``.
"""
from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

from srcnn_support.backends.tool_log_parsers import ToolFigure, images_per_second
from srcnn_support.convert.trt_api_build import check_cuda, cuda_runtime, polygraphy_cuda, set_device, tensorrt_module
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME

TIMED_QUERIES, WARMUP_QUERIES = 200, 20  # trtexec's default reporting sample is a few hundred queries


def cuda_device_count() -> int:
    """CUDA devices libcudart sees (0 without polygraphy, libcudart, a driver or a GPU)."""
    if polygraphy_cuda() is None:
        return 0
    try:
        count = ctypes.c_int(0)
        return count.value if cuda_runtime().handle.cudaGetDeviceCount(ctypes.byref(count)) == 0 else 0
    except Exception:  # polygraphy raises its own exception type when libcudart cannot be loaded
        return 0


class ApiSession:
    """One deserialized engine and context on one device; ``run`` checks every return value."""

    def __init__(self, engine_path: Path, device: int) -> None:
        trt, cuda = tensorrt_module(), polygraphy_cuda()
        set_device(device)
        self._trt = trt
        self.logger = trt.Logger(trt.Logger.WARNING)
        self.runtime = trt.Runtime(self.logger)  # kept: the runtime must outlive the engines it deserialized
        self.engine = self.runtime.deserialize_cuda_engine(Path(engine_path).read_bytes())
        if self.engine is None:
            raise SrcnnGateError(engine_path, "TensorRT cannot deserialize this engine (other version or GPU?)")
        self.context = self.engine.create_execution_context()
        self.output_name = self._only_output()
        self.stream = cuda.Stream()
        self.source, self.result = cuda.DeviceArray(), cuda.DeviceArray()  # float32 by default

    def _only_output(self) -> str:
        names = [self.engine.get_tensor_name(i) for i in range(self.engine.num_io_tensors)]
        outputs = [n for n in names if self.engine.get_tensor_mode(n) == self._trt.TensorIOMode.OUTPUT]
        if len(outputs) != 1:
            raise SrcnnGateError("tensorrt", f"expected one output tensor, the engine has {outputs}")
        return outputs[0]

    def prepare(self, batch: np.ndarray) -> None:
        if not self.context.set_input_shape(INPUT_NAME, tuple(batch.shape)):
            raise SrcnnGateError("tensorrt", f"input shape {batch.shape} is outside the engine's optimisation profile")
        self.source.resize(batch.shape)
        self.result.resize(tuple(self.context.get_tensor_shape(self.output_name)))
        for name, buffer in ((INPUT_NAME, self.source), (self.output_name, self.result)):
            if not self.context.set_tensor_address(name, buffer.ptr):
                raise SrcnnGateError("tensorrt", f"set_tensor_address({name}) failed")

    def execute(self) -> None:
        if not self.context.execute_async_v3(self.stream.ptr):
            raise SrcnnGateError("tensorrt", "execute_async_v3 failed (see TensorRT's log)")

    def run(self, batch: np.ndarray) -> np.ndarray:
        self.prepare(batch)
        self.source.copy_from(batch, self.stream)
        self.execute()
        output = np.empty(tuple(self.result.shape), dtype=np.float32)
        self.result.copy_to(output, self.stream)
        self.stream.synchronize()
        return output

    def gpu_compute(self, batch: np.ndarray) -> ToolFigure:
        """Mean GPU time of ``execute_async_v3`` between two CUDA events, per query, as trtexec measures it."""
        iterations, warmup = TIMED_QUERIES, WARMUP_QUERIES
        self.run(batch)
        cudart = cuda_runtime().handle
        start, end = ctypes.c_void_p(), ctypes.c_void_p()
        check_cuda(cudart.cudaEventCreate(ctypes.byref(start)), "cudaEventCreate")
        check_cuda(cudart.cudaEventCreate(ctypes.byref(end)), "cudaEventCreate")
        stream = ctypes.c_void_p(self.stream.ptr)
        times = []
        try:
            for i in range(warmup + iterations):
                check_cuda(cudart.cudaEventRecord(start, stream), "cudaEventRecord")
                self.execute()
                check_cuda(cudart.cudaEventRecord(end, stream), "cudaEventRecord")
                check_cuda(cudart.cudaEventSynchronize(end), "cudaEventSynchronize")
                elapsed = ctypes.c_float()
                check_cuda(cudart.cudaEventElapsedTime(ctypes.byref(elapsed), start, end), "cudaEventElapsedTime")
                if i >= warmup:
                    times.append(elapsed.value)
        finally:
            cudart.cudaEventDestroy(start)
            cudart.cudaEventDestroy(end)
        mean_ms = float(np.mean(times))
        return ToolFigure("tensorrt CUDA events", batch.shape[0], images_per_second(batch.shape[0], mean_ms), mean_ms,
                          float(np.median(times)), float(np.percentile(times, 99)))

    def close(self) -> None:
        self.source.free()
        self.result.free()
        self.stream.free()
        self.context = None
        self.engine = None
        self.runtime = None
