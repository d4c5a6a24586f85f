"""Two operator dump folders, the reference's and the device's, with one ``.npy`` per operator output.

Names as msit writes them (Ascend/msit ``msit/examples/cli/debug/compare/result_analyse/README.md``, "Comparison
Result Description"): the ONNX Runtime side ``{node}.{output index}.{timestamp}.npy``
(``Add_100.0.1682148256368588.npy``; the model's inputs ``input_...``). The NPU side: that README lists the raw
dumps, ``{OpType}.{op name}.{task id}.{stream id}.{timestamp}`` (``Add.8.5.1682067845380164``), which are not numpy
files; once converted (CANN's ``msaccucmp.py convert``, which msit calls) they are read here as
``{OpType}.{op name}.{task id}.{stream id}.{timestamp}.output.{index}.npy`` (``.input.{index}`` for inputs). That
converted form is CANN's convention as its manual describes it, not checked against a real listing here.

A file name cannot hold ``/``, so node names are matched with every character other than a letter, digit or ``_``
read as ``_``; a fused NPU operator is named by its nodes' names run together (the README's ``Sub_26Mul_28`` for
``Sub_26`` and ``Mul_28``), compared at its last node and named by its first layer. Output 0 only; with several
dumps of one operator (several runs), the latest timestamp.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from srcnn_support.errors import SrcnnGateError
from srcnn_support.layers.capture import LAYERS, OUTPUT_LAYER
from srcnn_support.layers.comparison import LayerComparison, compare_captured

NPU_OUTPUT = re.compile(r"^(?P<type>[^.]+)\.(?P<op>.+)\.\d+\.\d+\.(?P<time>\d+)\.output\.(?P<index>\d+)\.npy$")
NPU_INPUT = re.compile(r"\.input\.\d+\.npy$")
ONNX_OUTPUT = re.compile(r"^(?P<op>.+)\.(?P<index>\d+)\.(?P<time>\d+)\.npy$")


def file_safe(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", name)


def operator_files(folder: Path) -> dict[str, Path]:
    """Operator name -> its output-0 ``.npy`` in a dump folder (the latest when it was dumped more than once)."""
    if not folder.exists():
        raise SrcnnGateError(folder, "dump folder not found")
    if not folder.is_dir():
        raise SrcnnGateError(folder, "is a file; expected a folder of operator dumps (one .npy per operator)")
    found: dict[str, tuple[int, Path]] = {}
    for path in sorted(folder.rglob("*.npy")):
        if NPU_INPUT.search(path.name) or path.name.startswith("input_"):
            continue
        match = NPU_OUTPUT.match(path.name) or ONNX_OUTPUT.match(path.name)
        if match is None or match["index"] != "0":
            continue
        name, stamp = file_safe(match["op"]), int(match["time"])
        if name not in found or stamp > found[name][0]:
            found[name] = (stamp, path)
    if not found:
        raise SrcnnGateError(folder, "holds no operator dump (.npy named {op}.{output}.{timestamp}.npy as msit's ONNX "
                                     "dumps, or {OpType}.{op}.{task}.{stream}.{timestamp}.output.{n}.npy as converted "
                                     "NPU dumps)")
    return {name: path for name, (_, path) in found.items()}


def fused_layers(operator: str, layers_of_nodes: dict[str, str]) -> list[str]:
    """The layers an operator covers: its name is one node's, or several nodes' run together (fused); else []."""
    nodes = {file_safe(node): layer for node, layer in layers_of_nodes.items()}
    ways: dict[int, list[str]] = {0: []}
    for end in range(1, len(operator) + 1):
        for start in list(ways):
            if start < end and operator[start:end] in nodes and end not in ways:
                ways[end] = ways[start] + [nodes[operator[start:end]]]
    return ways.get(len(operator), [])


def compare_dump_folders(golden_folder: Path, my_folder: Path, layers_of_nodes: dict[str, str],
                         precision: str = "fp16") -> LayerComparison:
    golden_files, my_files = operator_files(golden_folder), operator_files(my_folder)
    by_layer = {layer: file_safe(node) for node, layer in layers_of_nodes.items()}
    golden, mine, compared_at, sources = {}, {}, {}, {}
    for operator, path in my_files.items():
        group = sorted(fused_layers(operator, layers_of_nodes), key=LAYERS.index)
        if not group or group[0] in mine:
            continue
        last = group[-1]
        if by_layer[last] not in golden_files:
            raise SrcnnGateError(golden_folder, f"no dump of {by_layer[last]} ({last}), which {path.name} is compared "
                                                "with")
        golden[last] = _load(golden_files[by_layer[last]])
        for layer in group:
            mine[layer], compared_at[layer] = _load(path, golden[last].shape, golden_files[by_layer[last]]), last
            sources[layer] = path.name
    if OUTPUT_LAYER not in mine:
        raise SrcnnGateError(my_folder, f"no dump of SRCNN's {OUTPUT_LAYER} (an operator named after one of "
                                        f"{', '.join(layers_of_nodes)}); were the dumps made from another model?")
    count = len(golden[OUTPUT_LAYER]) if golden[OUTPUT_LAYER].ndim == 4 else 1
    comparison = compare_captured(f"dumps {my_folder.name}", precision, golden, mine, compared_at,
                                  [f"input {i}" for i in range(count)])
    comparison.rows = [replace(row, source=sources[row.layer]) for row in comparison.rows]
    return comparison


def _load(path: Path, shape: tuple[int, ...] | None = None, golden_path: Path | None = None) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SrcnnGateError(path, f"not a readable .npy file ({str(exc).splitlines()[0][:120]})") from None
    if shape is not None and array.shape != shape:
        if array.size != int(np.prod(shape)):
            raise SrcnnGateError(path, f"holds {array.shape} ({array.size} values); {golden_path.name} holds "
                                       f"{shape}: not the same tensor")
        array = array.reshape(shape)  # a device dump may come flat, or in another layout of the same size
    return array.astype(np.float32, copy=False)
