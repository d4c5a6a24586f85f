"""Building a TensorRT engine through the Python API (8.6, 10, 11), and the libraries it needs.

Checked against NVIDIA/TensorRT ``python/src/infer/pyCore.cpp`` (v8.6.1, v10.16, v11.1):
``create_network`` takes ``1 << EXPLICIT_BATCH`` on 8.x (0 is implicit batch there; 10 and 11 are
explicit only and 11 drops the flag); ``BuilderFlag.FP16`` is gone in 11. The device is chosen
through libcudart, reached with ``polygraphy.cuda`` (no torch, no cuda-python); the runners in
``backends/tensorrt_api.py`` use the same modules to load and run the engine.
"""
from __future__ import annotations

import ctypes
from pathlib import Path

from srcnn_support.convert.trtexec import version_from_string
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME


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


def cuda_runtime():
    return polygraphy_cuda().wrapper()


def check_cuda(status: int, call: str) -> None:
    if status != 0:
        raise SrcnnGateError("CUDA", f"{call} failed with cudaError {status}")


def set_device(device: int) -> None:
    check_cuda(cuda_runtime().handle.cudaSetDevice(ctypes.c_int(device)), f"cudaSetDevice({device})")


def build_serialized_engine(onnx_path: Path, fp16_flag: bool, profile, device: int) -> bytes:
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
