"""TensorRT, layer by layer, the way Polygraphy's users do it (``polygraphy run --onnx-outputs mark all``): the ONNX
copy with the conv / ReLU outputs added (``capture.with_layer_outputs``) is built into an engine and run through
the Python API, and the engine of the unmodified model runs beside it. Marking outputs can change what TensorRT
fuses and so its results (NVIDIA/TensorRT#2232, #3258): the comparison reports the output change; SRCNN's five
marked tensors are small, where mark-all ran out of memory on big models (#4443).

fp16 as the gate builds it (``convert/trt_engine.model_for``): the fp32 model with the fp16 builder flag up to
TensorRT 10, the project's fp16 ONNX model on 11. An output's numpy type comes from the engine
(``tensorrt.nptype(engine.get_tensor_dtype(name))``): an fp16 network's marked tensors may be float16.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from srcnn_support.backends.tensorrt import missing_tensorrt_runtime
from srcnn_support.convert.trt_api_build import build_serialized_engine, polygraphy_cuda, set_device, tensorrt_module
from srcnn_support.convert.trt_engine import PROFILE
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME
from srcnn_support.layers.capture import OnnxCapture, boundary_tensors, with_layer_outputs


def tensorrt_layers(onnx_path: Path, fp16_flag: bool, planes: np.ndarray, device: int = 0) -> OnnxCapture:
    import onnx

    missing = missing_tensorrt_runtime()
    if missing:
        raise MissingRuntimeError("tensorrt", missing)
    model = onnx.load(str(onnx_path))
    boundaries = boundary_tensors(model, onnx_path)
    tensors = {layer: boundary.tensor for layer, boundary in boundaries.items()}
    with tempfile.TemporaryDirectory(prefix="srcnn-layers-") as folder:
        marked_path = Path(folder) / "marked.onnx"
        onnx.save(with_layer_outputs(model, list(tensors.values())), str(marked_path))
        shipped = build_serialized_engine(onnx_path, fp16_flag, PROFILE, device)
        marked = build_serialized_engine(marked_path, fp16_flag, PROFILE, device)
    output = model.graph.output[0].name
    unmodified = _run_engine(shipped, planes, [output], device)[output]
    values = _run_engine(marked, planes, list(dict.fromkeys(tensors.values())), device)
    return OnnxCapture({layer: values[name] for layer, name in tensors.items()}, boundaries, unmodified)


def _run_engine(serialized: bytes, planes: np.ndarray, names: list[str], device: int) -> dict[str, np.ndarray]:
    """Each plane through the engine, one at a time; every named output read back as float32."""
    trt, cuda = tensorrt_module(), polygraphy_cuda()
    set_device(device)
    runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING))
    engine = runtime.deserialize_cuda_engine(serialized)
    if engine is None:
        raise SrcnnGateError("tensorrt", "TensorRT cannot deserialize the engine it has just built")
    context, stream = engine.create_execution_context(), cuda.Stream()
    source = cuda.DeviceArray()
    buffers = {name: cuda.DeviceArray(dtype=trt.nptype(engine.get_tensor_dtype(name))) for name in names}
    results: dict[str, list[np.ndarray]] = {name: [] for name in names}
    try:
        for plane in planes:
            batch = np.ascontiguousarray(plane[None], dtype=np.float32)
            if not context.set_input_shape(INPUT_NAME, batch.shape):
                raise SrcnnGateError("tensorrt", f"input shape {batch.shape} is outside the engine's profile")
            source.resize(batch.shape)
            for name, buffer in [(INPUT_NAME, source), *buffers.items()]:
                if name != INPUT_NAME:
                    buffer.resize(tuple(context.get_tensor_shape(name)))
                if not context.set_tensor_address(name, buffer.ptr):
                    raise SrcnnGateError("tensorrt", f"set_tensor_address({name}) failed")
            source.copy_from(batch, stream)
            if not context.execute_async_v3(stream.ptr):
                raise SrcnnGateError("tensorrt", "execute_async_v3 failed (see TensorRT's log)")
            for name, buffer in buffers.items():
                host = np.empty(buffer.shape, dtype=trt.nptype(engine.get_tensor_dtype(name)))
                buffer.copy_to(host, stream)
                results[name].append(host)
            stream.synchronize()
    finally:
        for buffer in [source, *buffers.values()]:
            buffer.free()
    return {name: np.concatenate(values).astype(np.float32) for name, values in results.items()}
