"""EMULATOR of the TensorRT Python API (8.6 / 10 / 11) and of ``polygraphy.cuda``, for contract tests only.

No GPU, no engine: "device memory" is a dict of numpy arrays keyed by fake pointers, and an
"engine" is the ONNX model run by ONNX Runtime. What it keeps is the API surface and the behaviour
the suite must handle, from NVIDIA/TensorRT ``python/src/infer/pyCore.cpp`` at v8.6.1, v10.16, v11.1
and ``tools/Polygraphy/polygraphy/cuda/cuda.py``:

- ``NetworkDefinitionCreationFlag.EXPLICIT_BATCH`` exists on 8.6 and 10 (deprecated, explicit batch
  is the only mode from 10) and not on 11; ``create_network(0)`` is implicit batch on 8.x, which the
  ONNX parser refuses (onnx-tensorrt requires an explicit-batch network);
- ``BuilderFlag.FP16`` exists on 8.6 and 10, not on 11 (strong typing);
- ``build_serialized_network`` returns None on failure; ``deserialize_cuda_engine`` returns None for
  bytes it cannot read;
- ``IExecutionContext.set_input_shape`` returns False for a shape outside the optimisation profile,
  ``set_tensor_address`` and ``execute_async_v3`` return bools; execution with unset shapes fails;
- I/O tensors are found by name and ``get_tensor_mode``: this emulator lists the output first,
  since the API does not promise an order; a model with several outputs (the layer comparison's marked copy)
  has them all, each typed by ``get_tensor_dtype`` (``DataType.FLOAT`` / ``HALF``, ``nptype`` maps them);
- ``polygraphy.cuda``: ``wrapper().handle`` is libcudart (``cudaSetDevice``, ``cudaEvent*``),
  ``Stream().ptr``, ``DeviceArray`` with ``resize``, ``ptr``, ``copy_from``, ``copy_to``, ``free``.
"""
from __future__ import annotations

import json
import time
import types

import numpy as np

MEMORY: dict[int, np.ndarray] = {}
EVENTS: dict[int, float] = {}
CALLS: list[tuple] = []


def _byref_target(ref):
    return ref._obj  # ctypes.byref(x) -> CArgObject holding x


def make_tensorrt(version: str) -> types.ModuleType:
    major = int(version.split(".")[0])
    trt = types.ModuleType("tensorrt")
    trt.__version__ = version
    trt.Logger = type("Logger", (), {"WARNING": 2, "__init__": lambda self, severity=2: None})
    flags = {} if major >= 11 else {"EXPLICIT_BATCH": 0}
    flags.update({"STRONGLY_TYPED": 1} if major >= 10 else {})
    trt.NetworkDefinitionCreationFlag = types.SimpleNamespace(**flags)
    trt.BuilderFlag = types.SimpleNamespace(**({"FP16": "FP16"} if major < 11 else {}), TF32="TF32")
    trt.TensorIOMode = types.SimpleNamespace(INPUT="INPUT", OUTPUT="OUTPUT")
    trt.DataType = types.SimpleNamespace(FLOAT="FLOAT", HALF="HALF")
    trt.nptype = lambda data_type: {"FLOAT": np.float32, "HALF": np.float16}[data_type]

    class Network:
        def __init__(self, flags: int) -> None:
            self.explicit = major >= 10 or bool(flags & 1)
            self.onnx = None

    class OnnxParser:
        def __init__(self, network, logger) -> None:
            self.network, self.errors = network, []

        def parse(self, model: bytes) -> bool:
            if not self.network.explicit:
                self.errors.append("the ONNX parser only supports networks with an explicit batch dimension")
                return False
            self.network.onnx = model
            return True

        @property
        def num_errors(self) -> int:
            return len(self.errors)

        def get_error(self, index: int) -> str:
            return self.errors[index]

    class Profile:
        def set_shape(self, name, low, opt, high) -> None:
            self.name, self.low, self.high = name, tuple(low), tuple(high)

    class Config:
        def __init__(self) -> None:
            self.flags, self.profiles = set(), []

        def set_flag(self, flag) -> None:
            self.flags.add(flag)

        def add_optimization_profile(self, profile) -> int:
            self.profiles.append(profile)
            return len(self.profiles) - 1

    class Builder:
        def __init__(self, logger) -> None:
            pass

        def create_network(self, flags: int = 0) -> Network:
            CALLS.append(("create_network", flags))
            return Network(flags)

        create_builder_config = staticmethod(Config)
        create_optimization_profile = staticmethod(Profile)

        def build_serialized_network(self, network, config):
            if network.onnx is None or not config.profiles:
                return None
            profile = config.profiles[0]
            header = {"major": major, "fp16": "FP16" in config.flags, "low": profile.low, "high": profile.high}
            return json.dumps(header).encode() + b"\n" + network.onnx

    class Context:
        def __init__(self, engine) -> None:
            self.engine, self.shape, self.addresses, self.shapes = engine, None, {}, {}

        def set_input_shape(self, name, shape) -> bool:
            inside = all(lo <= d <= hi for lo, d, hi in zip(self.engine.low, shape, self.engine.high, strict=False))
            self.shape = tuple(shape) if inside and len(shape) == 4 else None
            if self.shape and len(self.engine.names) > 2:  # marked tensors: their shapes, from one zero input
                zeros = np.zeros(self.shape, np.float32)
                self.shapes = {n: v.shape for n, v in zip(self.engine.names[:-1], self.engine.session.run(
                    self.engine.names[:-1], {"input.1": zeros}), strict=True)}
            return self.shape is not None

        def get_tensor_shape(self, name):
            return self.shapes.get(name, self.shape) if self.shape else (-1, 1, 256, 256)

        def set_tensor_address(self, name, ptr) -> bool:
            self.addresses[name] = ptr
            return ptr in MEMORY

        def execute_async_v3(self, stream_handle) -> bool:
            if self.shape is None or len(self.addresses) != self.engine.num_io_tensors:
                return False
            source = MEMORY[self.addresses["input.1"]].reshape(self.shape)
            outputs = self.engine.names[:-1]
            for name, result in zip(outputs, self.engine.session.run(outputs, {"input.1": source}), strict=True):
                MEMORY[self.addresses[name]][...] = result.reshape(MEMORY[self.addresses[name]].shape)
            return True

    class Engine:
        def __init__(self, data: bytes) -> None:
            import onnxruntime

            header, model = data.split(b"\n", 1)
            fields = json.loads(header)
            self.low, self.high = tuple(fields["low"]), tuple(fields["high"])
            self.session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
            self.output_name = self.session.get_outputs()[0].name
            self.names = [o.name for o in self.session.get_outputs()] + ["input.1"]
            self.types = {o.name: "HALF" if o.type == "tensor(float16)" else "FLOAT"
                          for o in self.session.get_outputs()}
            self.num_io_tensors = len(self.names)

        def get_tensor_name(self, index: int) -> str:
            return self.names[index]

        def get_tensor_mode(self, name: str):
            return trt.TensorIOMode.INPUT if name == "input.1" else trt.TensorIOMode.OUTPUT

        def get_tensor_dtype(self, name: str):
            return self.types.get(name, "FLOAT")

        def create_execution_context(self):
            return Context(self)

    class Runtime:
        def __init__(self, logger) -> None:
            pass

        def deserialize_cuda_engine(self, data: bytes):
            try:
                return Engine(data) if json.loads(data.split(b"\n", 1)[0])["major"] == major else None
            except (ValueError, KeyError):
                return None

    trt.Builder, trt.OnnxParser, trt.Runtime = Builder, OnnxParser, Runtime
    return trt


class _Cudart:
    """libcudart as ctypes exposes it: each call returns a cudaError_t (0 = success)."""

    devices = 1

    def cudaGetDeviceCount(self, ref) -> int:
        _byref_target(ref).value = self.devices
        return 0 if self.devices else 100  # cudaErrorNoDevice

    def cudaSetDevice(self, device) -> int:
        CALLS.append(("cudaSetDevice", device.value))
        return 0

    def cudaEventCreate(self, ref) -> int:
        _byref_target(ref).value = len(EVENTS) + 1000
        EVENTS[_byref_target(ref).value] = 0.0
        return 0

    def cudaEventRecord(self, event, stream) -> int:
        EVENTS[event.value] = time.perf_counter()
        return 0

    def cudaEventSynchronize(self, event) -> int:
        return 0

    def cudaEventElapsedTime(self, ref, start, end) -> int:
        _byref_target(ref).value = (EVENTS[end.value] - EVENTS[start.value]) * 1000.0
        return 0

    def cudaEventDestroy(self, event) -> int:
        EVENTS.pop(event.value, None)
        return 0


def make_polygraphy_cuda() -> types.ModuleType:
    cuda = types.ModuleType("polygraphy.cuda")
    handle = types.SimpleNamespace(handle=_Cudart())
    cuda.wrapper = lambda: handle

    class Stream:
        ptr = 7

        def synchronize(self) -> None:
            pass

        def free(self) -> None:
            pass

    class DeviceArray:
        def __init__(self, shape=(), dtype=None) -> None:
            self.ptr, self.shape, self.dtype = 0, (), dtype or np.float32
            self.resize(shape)

        def resize(self, shape):
            self.free()
            self.ptr = max(MEMORY, default=100) + 1
            MEMORY[self.ptr] = np.zeros(shape, self.dtype)
            self.shape = tuple(shape)
            return self

        def copy_from(self, host, stream=None):
            MEMORY[self.ptr][...] = np.asarray(host, self.dtype).reshape(self.shape)
            return self

        def copy_to(self, host, stream=None):
            host[...] = MEMORY[self.ptr]
            return host

        def free(self) -> None:
            MEMORY.pop(self.ptr, None)
            self.ptr = 0

    cuda.Stream, cuda.DeviceArray = Stream, DeviceArray
    return cuda

