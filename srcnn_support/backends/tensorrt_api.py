"""TensorRT through its Python API (8.6, 10, 11), device memory through Polygraphy's CUDA wrapper.

Checked against NVIDIA/TensorRT ``python/src/infer/pyCore.cpp`` (v8.6.1, v10.16, v11.1):
``create_network`` takes ``1 << EXPLICIT_BATCH`` on 8.x (0 is implicit batch there; 10 and 11 are
explicit only and 11 drops the flag); ``BuilderFlag.FP16`` is gone in 11; ``set_input_shape``,
``set_tensor_address`` and ``execute_async_v3`` return a bool that must be checked (a shape
outside the profile otherwise leaves the output buffer uninitialised). Buffers, streams and CUDA
events come from libcudart through ``polygraphy.cuda`` (no torch, no cuda-python); GPU compute is
timed with CUDA events around ``execute_async_v3``, as trtexec times it.
"""
from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME
from srcnn_support.perf.toollogs import ToolFigure, images_per_second

TIMED_QUERIES, WARMUP_QUERIES = 200, 20  # trtexec's default reporting sample is a few hundred queries


def tensorrt_module():
    try:
        import tensorrt

        return tensorrt
    except Exception:
        return None


def polygraphy_cuda():
    try:
        from polygraphy import cuda

        return cuda
    except Exception:
        return None


def _cudart():
    return polygraphy_cuda().wrapper()


def cuda_device_count() -> int:
    """CUDA devices libcudart sees (0 without polygraphy, libcudart, a driver or a GPU)."""
    if polygraphy_cuda() is None:
        return 0
    try:
        count = ctypes.c_int(0)
        return count.value if _cudart().handle.cudaGetDeviceCount(ctypes.byref(count)) == 0 else 0
    except Exception:  # polygraphy raises its own exception type when libcudart cannot be loaded
        return 0


def _check(status: int, call: str) -> None:
    if status != 0:
        raise SrcnnGateError("CUDA", f"{call} failed with cudaError {status}")


def set_device(device: int) -> None:
    _check(_cudart().handle.cudaSetDevice(ctypes.c_int(device)), f"cudaSetDevice({device})")


def build_serialized_engine(onnx_path: Path, fp16_flag: bool, profile, device: int) -> bytes:
    from srcnn_support.convert.trtexec import version_from_string

    trt = tensorrt_module()
    version = version_from_string(trt.__version__)
    set_device(device)
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    flags = 1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH) if version.needs_explicit_batch_flag else 0
    network = builder.create_network(flags)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse(Path(onnx_path).read_bytes()):
        errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise SrcnnGateError(onnx_path, f"TensorRT {version} cannot parse the model: {errors}")
    config = builder.create_builder_config()
    if fp16_flag:
        if not version.has_fp16_flag:
            raise SrcnnGateError(onnx_path, f"TensorRT {version} has no BuilderFlag.FP16: build an fp16 ONNX model")
        config.set_flag(trt.BuilderFlag.FP16)
    optimisation = builder.create_optimization_profile()
    optimisation.set_shape(INPUT_NAME, *profile)
    config.add_optimization_profile(optimisation)
    serialized = builder.build_serialized_network(network, config)
    if serialized is None:
        raise SrcnnGateError(onnx_path, f"TensorRT {version} failed to build an engine (see its log above)")
    return bytes(serialized)


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
        cudart = _cudart().handle
        start, end = ctypes.c_void_p(), ctypes.c_void_p()
        _check(cudart.cudaEventCreate(ctypes.byref(start)), "cudaEventCreate")
        _check(cudart.cudaEventCreate(ctypes.byref(end)), "cudaEventCreate")
        stream = ctypes.c_void_p(self.stream.ptr)
        times = []
        try:
            for i in range(warmup + iterations):
                _check(cudart.cudaEventRecord(start, stream), "cudaEventRecord")
                self.execute()
                _check(cudart.cudaEventRecord(end, stream), "cudaEventRecord")
                _check(cudart.cudaEventSynchronize(end), "cudaEventSynchronize")
                elapsed = ctypes.c_float()
                _check(cudart.cudaEventElapsedTime(ctypes.byref(elapsed), start, end), "cudaEventElapsedTime")
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
