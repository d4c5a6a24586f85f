"""Each layer boundary's output, from PyTorch and from an ONNX model run in ONNX Runtime.

PyTorch: the network's own modules run step by step (the same modules ``forward`` chains). ONNX: a copy of
the graph whose conv / ReLU outputs are added as graph outputs, the nodes found by their place in the chain
(three Conv nodes, as ``convert/onnx_graph.py`` finds them, each conv1/conv2 followed by its Relu), never by
the exporter's names. conv3 is the graph's own output: the INT8 build averages conv3's copies after the Conv
node, and a fp16 build casts back to fp32 after it, so what the model returns is conv3 as the backend ends it.

Adding outputs may change what the runtime fuses (Polygraphy's users report it: NVIDIA/TensorRT#2232, #3258),
so the unmodified model runs too and its output is held against the modified model's last layer.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from srcnn_support.convert.onnx_graph import SRCNN_CONVS
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME
from srcnn_support.export.onnxruntime_session import session_options

LAYERS = ("conv1", "relu1", "conv2", "relu2", "conv3")
OUTPUT_LAYER = LAYERS[-1]


def pytorch_layers(model, planes: np.ndarray) -> dict[str, np.ndarray]:
    """``planes``: N x 1 x H x W float32. The reference's output at every boundary."""
    import torch

    outputs = {}
    with torch.no_grad():
        x = torch.from_numpy(np.ascontiguousarray(planes, dtype=np.float32))
        for index, conv in enumerate((model.conv1, model.conv2, model.conv3), start=1):
            x = conv(x)
            outputs[f"conv{index}"] = x.numpy()  # every step makes a new tensor: nothing writes into these
            if index < len(SRCNN_CONVS):
                x = torch.relu(x)
                outputs[f"relu{index}"] = x.numpy()
    return outputs


@dataclass(frozen=True)
class Boundary:
    tensor: str  # the ONNX tensor holding the layer's value
    golden: str  # the PyTorch layer it is compared with: itself, or the last layer of a fused group


def boundary_tensors(model, source: Path) -> dict[str, Boundary]:
    """Layer -> where the model holds it; ``source`` is named when the graph is not SRCNN's chain.

    A quantized (QDQ) activation is taken after its QuantizeLinear -> DequantizeLinear pair: the value the next
    layer really consumes. ONNX Runtime's quantizer drops a Relu whose output is quantized to uint8 with zero
    point 0 (the clamp at 0 is the ReLU) and runs conv, ReLU and quantization as one kernel; marking the Conv's raw
    output unfuses it and moves the INT8 model's output by 1.3e-3 (measured), so that conv is compared as the fused
    group conv+relu at the ReLU, the way msit compares a fused NPU operator with its last ONNX node."""
    convs = [n for n in model.graph.node if n.op_type == "Conv"]  # stored in topological order
    if len(convs) != len(SRCNN_CONVS):
        raise SrcnnGateError(source, f"has {len(convs)} Conv node(s); the layer comparison expects SRCNN's "
                                     f"{len(SRCNN_CONVS)} in a chain")
    consumers: dict[str, list] = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def dequantized(name: str) -> str:
        quantize = [n for n in consumers.get(name, []) if n.op_type == "QuantizeLinear"]
        dequantize = [n for q in quantize for n in consumers.get(q.output[0], []) if n.op_type == "DequantizeLinear"]
        return dequantize[0].output[0] if dequantize else name

    boundaries = {}
    for index, conv in enumerate(convs[:-1], start=1):
        conv_layer, relu_layer = f"conv{index}", f"relu{index}"
        relus = [n for n in consumers.get(conv.output[0], []) if n.op_type == "Relu"]
        if relus:
            boundaries[conv_layer] = Boundary(conv.output[0], conv_layer)
            boundaries[relu_layer] = Boundary(dequantized(relus[0].output[0]), relu_layer)
        elif dequantized(conv.output[0]) != conv.output[0]:  # marking the raw Conv output would undo the fusion
            boundaries[conv_layer] = Boundary(dequantized(conv.output[0]), relu_layer)
            boundaries[relu_layer] = Boundary(dequantized(conv.output[0]), relu_layer)
        else:
            raise SrcnnGateError(source, f"Conv node {conv.name or conv.output[0]!r} ({conv_layer}) is not followed "
                                         "by a Relu; the layer comparison expects SRCNN's conv-relu chain")
    boundaries[OUTPUT_LAYER] = Boundary(model.graph.output[0].name, OUTPUT_LAYER)
    return boundaries


def with_layer_outputs(model, tensors: list[str]):
    """A copy of ``model`` that also returns every boundary tensor (typed as shape inference finds them)."""
    import onnx
    from onnx import TensorProto, helper

    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    inferred = onnx.shape_inference.infer_shapes(copy)
    types = {v.name: v.type.tensor_type.elem_type for v in inferred.graph.value_info}
    present = {o.name for o in copy.graph.output}
    for name in dict.fromkeys(tensors):
        if name not in present:
            copy.graph.output.append(helper.make_tensor_value_info(name, types.get(name, TensorProto.FLOAT), None))
    return copy


@dataclass
class OnnxCapture:
    layers: dict[str, np.ndarray]  # float32, the backend's value at each boundary
    boundaries: dict[str, Boundary]
    unmodified_output: np.ndarray  # the model as shipped, without the added outputs


def onnx_layers(onnx_path: Path, planes: np.ndarray, threads: int | None = None) -> OnnxCapture:
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(onnx_path))
    boundaries = boundary_tensors(model, onnx_path)
    tensors = {layer: b.tensor for layer, b in boundaries.items()}
    providers = ["CPUExecutionProvider"]
    shipped = ort.InferenceSession(str(onnx_path), session_options(threads), providers=providers)
    marked_model = with_layer_outputs(model, list(tensors.values()))
    marked = ort.InferenceSession(marked_model.SerializeToString(), session_options(threads), providers=providers)
    input_type = np.float16 if shipped.get_inputs()[0].type == "tensor(float16)" else np.float32
    fixed_batch = shipped.get_inputs()[0].shape[0]  # a model exported for ATC takes B images: the plane B times
    copies = fixed_batch if isinstance(fixed_batch, int) and fixed_batch > 0 else 1
    names = list(tensors)
    layers: dict[str, np.ndarray] = {}
    unmodified = None
    for index, plane in enumerate(planes):  # one image per run, whatever batch the model was exported with
        feed = {INPUT_NAME: np.ascontiguousarray(np.repeat(plane[None], copies, axis=0), dtype=input_type)}
        try:
            output = shipped.run(None, feed)[0]
            values = marked.run([tensors[n] for n in names], feed)
        except Exception as exc:  # onnxruntime's errors share no base class it exports
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise SrcnnGateError(onnx_path, f"ONNX Runtime cannot run it on a {plane.shape[-2]} x {plane.shape[-1]} "
                                            f"image: {first}") from exc
        if unmodified is None:  # filled in place: a Set5 layer is 84 MB, a list to concatenate would double it
            unmodified = np.empty((len(planes), *output.shape[1:]), np.float32)
            layers = {n: np.empty((len(planes), *v.shape[1:]), np.float32) for n, v in zip(names, values, strict=True)}
        unmodified[index] = output[0]
        for name, value in zip(names, values, strict=True):
            layers[name][index] = value[0]
    return OnnxCapture(layers, boundaries, unmodified)


def node_layers(model, source: Path) -> dict[str, str]:
    """ONNX node name -> layer, for records that name the golden model's nodes (msit's ``GroundTruth``, dump files).
    Found the way ``boundary_tensors`` finds the chain; a node without a name is known by its first output."""
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    boundaries = boundary_tensors(model, source)
    by_output = {n.output[0]: n for n in model.graph.node}
    layers = {}
    for layer, boundary in boundaries.items():
        node = by_output.get(boundary.tensor) if layer != OUTPUT_LAYER else convs[-1]
        if node is not None and boundary.golden == layer:
            layers[node.name or node.output[0]] = layer
    return layers
