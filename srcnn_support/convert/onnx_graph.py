"""Reading and editing SRCNN's ONNX graph for the quantized builds: its three convolutions found by their
place in the chain (not by the exporter's names), their initializers, and the opset the quantizer needs.

A model the user brings may come from any exporter or optimiser: torch names the parameters
``conv1.weight``, other tools ``W0`` or ``onnx::Conv_12``. The builds name layers ``conv1..conv3``, so a
given model is renamed to those names first; what it computes is unchanged.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.errors import SrcnnGateError

SRCNN_CONVS = ("conv1", "conv2", "conv3")
QUANTIZABLE_OPSETS = (13, 17)  # per-channel DequantizeLinear needs 13 (axis); ReduceMean takes axes as input from 18


def conv_layer(node) -> str:
    """'conv2' for the node whose weight is 'conv2.weight' (after ``with_layer_names``)."""
    return node.input[1].removesuffix(".weight")


def initializer(model, name: str) -> np.ndarray:
    from onnx import numpy_helper

    for init in model.graph.initializer:
        if init.name == name:
            return numpy_helper.to_array(init)
    raise KeyError(name)


def set_initializer(model, name: str, value: np.ndarray) -> None:
    from onnx import numpy_helper

    for i, init in enumerate(model.graph.initializer):
        if init.name == name:
            model.graph.initializer[i].CopyFrom(numpy_helper.from_array(value.astype(np.float32), name))
            return
    raise KeyError(name)


def with_layer_names(model, source: Path):
    """``model`` with its convolutions' weights and biases named ``conv1.weight`` .. ``conv3.bias`` in the
    order the chain runs them. ``source`` (the user's file) is named when the graph is not SRCNN's chain."""
    import onnx

    initializers = {init.name for init in model.graph.initializer}
    convs = [n for n in model.graph.node if n.op_type == "Conv"]  # ONNX graphs are stored in topological order
    if len(convs) != len(SRCNN_CONVS):
        raise SrcnnGateError(source, f"has {len(convs)} Conv node(s); the INT8 and FP16 builds expect SRCNN's "
                                     f"{len(SRCNN_CONVS)} in a chain")
    renamed: dict[str, str] = {}
    for layer, node in zip(SRCNN_CONVS, convs, strict=True):
        if len(node.input) != 3 or not {node.input[1], node.input[2]} <= initializers:
            raise SrcnnGateError(source, f"Conv node {node.name or node.output[0]!r} takes its weight or bias from "
                                         "another node, not a stored initializer; the INT8 build rounds stored "
                                         "weights (fold constants first, e.g. with onnxsim)")
        renamed[node.input[1]] = f"{layer}.weight"
        renamed[node.input[2]] = f"{layer}.bias"
    if renamed == {name: name for name in renamed}:
        return model
    result = onnx.ModelProto()
    result.CopyFrom(model)
    taken = set(renamed.values())
    for init in result.graph.initializer:
        if init.name in renamed:
            init.name = renamed[init.name]
        elif init.name in taken:  # another tensor already carries a layer's name: give it way
            renamed[init.name] = init.name = f"{init.name}.unrenamed"
    for node in result.graph.node:
        for index, name in enumerate(node.input):
            node.input[index] = renamed.get(name, name)
    for value in result.graph.input:
        value.name = renamed.get(value.name, value.name)
    return result


def quantizable_opset(model):
    """A given model of another opset (the guide's 11, torch's current 18+) converted into the range the quantizer
    and the copies' ReduceMean are written for; SRCNN's Conv and Relu mean the same in every opset."""
    from onnx import version_converter

    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    low, high = QUANTIZABLE_OPSETS
    if opset is None or low <= opset <= high:
        return model
    return version_converter.convert_version(model, min(max(opset, low), high))
