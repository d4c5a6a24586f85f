"""PyTorch -> ONNX export with the guide's I/O names, checked with ``onnx.checker``."""
from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch

from srcnn_support.atomic import atomic_write_bytes
from srcnn_support.cache import sha256_file
from srcnn_support.errors import SrcnnGateError
from srcnn_support.model.network import SRCNN
from srcnn_support.prepare.imaging import CROP_SIZE

INPUT_NAME = "input.1"
OUTPUT_NAME = "11"  # the name the guide's exporter produced; kept so tools configured for it still match
OPSET = 17
EXPORT_CODE_MODULES = ("model/network", "export/onnx_export")


def export_onnx(model: SRCNN, path: Path, batch_size: int | None, size: int = CROP_SIZE) -> None:
    """``batch_size=None``: batch, height and width dynamic (runtimes, full-size images).

    ATC needs a fixed batch per file.
    """
    model = model.eval()
    example = torch.zeros(batch_size or 1, 1, size, size)
    buffer = io.BytesIO()
    axes = {0: "batch", 2: "height", 3: "width"}
    dynamic_axes = None if batch_size else {INPUT_NAME: axes, OUTPUT_NAME: axes}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (example,), buffer, input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
            dynamic_axes=dynamic_axes, opset_version=OPSET, dynamo=False,
        )
    proto = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    atomic_write_bytes(Path(path), proto.SerializeToString())


def check_onnx_file(path: Path) -> onnx.ModelProto:
    """Refuse a file that is not ONNX, whose input is not ``input.1: N x 1 x H x W`` (any of them static or
    dynamic; the runners fit any image to the static ones), or whose one output is not ``N x 1 x H x W`` too
    (SRCNN maps the bicubic-upscaled image to an image of the same size): checked from the static shapes,
    or where they leave a dim open, by one small probe inference (1 x 1 x 16 x 16 in the open dims)."""
    try:
        proto = onnx.load(str(path))
        onnx.checker.check_model(proto)
    except FileNotFoundError:
        raise SrcnnGateError(path, "ONNX file not found") from None
    except Exception as exc:  # onnx raises DecodeError, ValidationError, ... with no common base
        raise SrcnnGateError(path, f"not a valid ONNX model ({_first_line(exc)})") from None
    inputs = [i for i in proto.graph.input if i.name not in {init.name for init in proto.graph.initializer}]
    if len(inputs) != 1 or inputs[0].name != INPUT_NAME:
        names = ", ".join(i.name for i in inputs) or "none"
        raise SrcnnGateError(path, f"expected one input named '{INPUT_NAME}', found: {names}")
    dims = _dims(inputs[0])
    if len(dims) != 4 or dims[1] != 1 or any(d is not None and d < MIN_STATIC_SIDE for d in dims[2:]):
        raise SrcnnGateError(path, f"input '{INPUT_NAME}' has shape {dims}, expected [N, 1, H, W] "
                                   f"(H, W dynamic or at least {MIN_STATIC_SIDE})")
    if len(proto.graph.output) != 1:
        names = ", ".join(o.name for o in proto.graph.output) or "none"
        raise SrcnnGateError(path, f"expected one output, found: {names}")
    fed = [dims[0] or 1, 1, dims[2] or PROBE_SIDE, dims[3] or PROBE_SIDE]
    out_dims = _dims(proto.graph.output[0])
    static = None not in dims and len(out_dims) == 4 and None not in out_dims
    shape = out_dims if static else _probe(path, inputs[0], fed)
    if list(shape) != fed:
        raise SrcnnGateError(path, f"output '{proto.graph.output[0].name}' is {list(shape)} for an input of {fed}, "
                                   f"expected {fed} (one channel, the input's size: SRCNN x2 maps the "
                                   "bicubic-upscaled image to one of the same size)")
    return proto


MIN_STATIC_SIDE = 17  # a tile keeps a core inside SRCNN's 8-pixel halo on both sides (backends/tiling.py)
PROBE_SIDE = 16


def _dims(value_info) -> list[int | None]:
    return [d.dim_value if d.HasField("dim_value") else None for d in value_info.type.tensor_type.shape.dim]


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]


def _probe(path: Path, model_input, shape: list[int]) -> tuple[int, ...]:
    """The output shape of one inference on zeros of ``shape`` (ONNX Runtime on the CPU)."""
    try:
        import onnxruntime as ort
    except ImportError:  # no runtime here to probe with: the runner's own shape check stays
        return tuple(shape)
    dtype = onnx.helper.tensor_dtype_to_np_dtype(model_input.type.tensor_type.elem_type)
    try:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        (output,) = session.run(None, {INPUT_NAME: np.zeros(shape, dtype)})
    except Exception as exc:  # onnxruntime's errors share no base class either
        raise SrcnnGateError(path, f"a probe inference on {shape} failed ({_first_line(exc)})") from None
    return tuple(output.shape)


def external_data_files(path: Path) -> list[Path]:
    """The files a model keeps its tensors in (``external_data`` 'location' entries), beside the model."""
    from onnx.external_data_helper import _get_all_tensors, uses_external_data

    proto = onnx.load(str(path), load_external_data=False)
    locations = {entry.value for tensor in _get_all_tensors(proto) if uses_external_data(tensor)
                 for entry in tensor.external_data if entry.key == "location"}
    return [Path(path).parent / location for location in sorted(locations)]


def onnx_sha256(path: Path) -> str:
    """sha256 of the model file; with external data, of the model's and every data file's sha256 in turn
    (a changed ``.data`` file changes it, and with it every cache key and report that names the model)."""
    files = external_data_files(path)
    if not files:
        return sha256_file(path)
    digest = hashlib.sha256(sha256_file(path).encode())
    for file in files:
        digest.update(f"\n{file.name}:{sha256_file(file)}".encode())
    return digest.hexdigest()


def with_free_shape(fp32_onnx: Path, tmp: Path) -> Path:
    """A given model fixed in batch or H x W, as a copy whose input and output dims are all dynamic (one
    convolution chain computes the same either way): calibration feeds one guide crop at a time, and the
    derived model then runs any shape. A model with no static dim is used as it is."""
    model = onnx.load(str(fp32_onnx))
    initializers = {init.name for init in model.graph.initializer}
    values = [v for v in [*model.graph.input, *model.graph.output] if v.name not in initializers]
    free = [(dim, name) for v in values
            for dim, name in zip(v.type.tensor_type.shape.dim, ("batch", None, "height", "width"), strict=False)
            if name and dim.HasField("dim_value")]
    if not free:
        return fp32_onnx
    for dim, name in free:
        dim.dim_param = name
    del model.graph.value_info[:]
    onnx.save(model, str(tmp / "fp32-free-shape.input.onnx"))
    return tmp / "fp32-free-shape.input.onnx"
