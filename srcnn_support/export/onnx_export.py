"""PyTorch -> ONNX export with the guide's I/O names, checked with ``onnx.checker``."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import onnx
import torch

from srcnn_support.atomic import atomic_write_bytes
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


def check_onnx_file(path: Path, size: int = CROP_SIZE) -> onnx.ModelProto:
    """Refuse a file that is not ONNX, or whose input is not ``input.1: N x 1 x size x size``."""
    try:
        proto = onnx.load(str(path))
        onnx.checker.check_model(proto)
    except FileNotFoundError:
        raise SrcnnGateError(path, "ONNX file not found") from None
    except Exception as exc:  # onnx raises DecodeError, ValidationError, ... with no common base
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise SrcnnGateError(path, f"not a valid ONNX model ({first})") from None
    inputs = [i for i in proto.graph.input if i.name not in {init.name for init in proto.graph.initializer}]
    if len(inputs) != 1 or inputs[0].name != INPUT_NAME:
        names = ", ".join(i.name for i in inputs) or "none"
        raise SrcnnGateError(path, f"expected one input named '{INPUT_NAME}', found: {names}")
    dims = [d.dim_value if d.HasField("dim_value") else None for d in inputs[0].type.tensor_type.shape.dim]
    if len(dims) != 4 or dims[1] != 1 or any(d not in (size, None) for d in dims[2:]):
        raise SrcnnGateError(path, f"input '{INPUT_NAME}' has shape {dims}, expected [N, 1, {size}, {size}]")
    return proto
