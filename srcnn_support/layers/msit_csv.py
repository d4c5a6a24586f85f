"""An ``msit debug compare`` result (``result_{timestamp}.csv``), read by its header into the layer table.

The columns, as msit documents them (Ascend/msit ``msit/examples/cli/debug/compare/result_analyse/README_EN.md``,
"Description of fields in the comparison result file"; CANN / msit build the header in ``get_result_title``, which
was not found in the sources searched for this reader, so it follows the README): ``Index`` (the README's analyser
output names operators by it; its table starts at ``OpType``), the operator columns ``OpType, NPUDump, DataType,
Address, GroundTruth, DataType, TensorIndex``, ``Shape``, an optional ``OverFlow`` (``Overflow`` in the README's
table), the algorithm columns (``CosineSimilarity``, ``MaxAbsoluteError``, ``AccumulatedRelativeError``,
``RelativeEuclideanDistance``, ``KullbackLeiblerDivergence``, ``StandardDeviation``, ``MeanAbsoluteError``,
``RootMeanSquareError``, ``MaxRelativeError``, ``MeanRelativeError``; only the ones msit was asked for), then
``CompareFailReason`` (the README's table also shows ``IsNpuOps``, ``IsOutputNode``, ``IsPrecisionError`` after it).
Only ``NPUDump``, ``GroundTruth``, ``TensorIndex`` and ``CosineSimilarity`` are required; the others are read
when present. ``DataType`` appears twice, so
columns are found by position in the header, first match. A fused NPU operator names its ONNX nodes in
``GroundTruth``, comma-separated (the README's row: NPUDump ``Sub_26Mul_28``, GroundTruth ``Sub_26,Mul_28``); its
output is compared at the last of them, and it is named by the first layer it covers, where its error can enter.
Rows of NPU-only operators (``GroundTruth`` ``*`` or empty), of nodes outside SRCNN's chain and of input tensors
(``TensorIndex`` ``...:input:N``) are not layer rows. A metric msit could not compute is ``NaN`` and is skipped,
as its analyser skips it.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path

from srcnn_support.errors import SrcnnGateError
from srcnn_support.layers.capture import LAYERS, OUTPUT_LAYER
from srcnn_support.layers.comparison import LayerComparison, LayerRow
from srcnn_support.layers.metrics import LayerMetrics, thresholds_for

REQUIRED_COLUMNS = ("NPUDump", "GroundTruth", "TensorIndex", "CosineSimilarity")
METRIC_COLUMNS = {"cosine": "CosineSimilarity", "red": "RelativeEuclideanDistance", "kl": "KullbackLeiblerDivergence",
                  "rmse": "RootMeanSquareError", "mre": "MeanRelativeError", "max_abs": "MaxAbsoluteError",
                  "max_rel": "MaxRelativeError"}
OVERFLOW_COLUMNS = ("OverFlow", "Overflow")
EMPTY = {"", "nan", "NaN", "NAN", "*", "-"}


def read_msit_csv(path: Path, layers_of_nodes: dict[str, str], precision: str = "fp16") -> LayerComparison:
    """``layers_of_nodes``: the golden ONNX model's node name -> layer (``capture.node_layers``); ``precision``: how
    the .om was built (ATC's default is fp16; ``fp32`` for ``force_fp32``), which picks the thresholds."""
    thresholds = thresholds_for(precision)
    rows = _read_rows(Path(path))
    header, body = rows[0], rows[1:]
    column = {name: header.index(name) for name in dict.fromkeys(header)}
    missing = [name for name in REQUIRED_COLUMNS if name not in column]
    if missing:
        raise SrcnnGateError(path, f"not an msit compare result: the header lacks {', '.join(missing)} "
                                   f"(it has {', '.join(header[:12])}{', ...' if len(header) > 12 else ''})")
    overflow = next((column[name] for name in OVERFLOW_COLUMNS if name in column), None)
    covered: dict[str, LayerRow] = {}
    for line, cells in enumerate(body, start=2):
        if len(cells) != len(header):
            raise SrcnnGateError(path, f"line {line} has {len(cells)} fields, the header {len(header)}")
        if ":input:" in cells[column["TensorIndex"]]:
            continue
        group = [layers_of_nodes[node.strip()] for node in cells[column["GroundTruth"]].split(",")
                 if node.strip() in layers_of_nodes]
        if not group:
            continue
        values = {field: _number(path, line, cells, column, name) for field, name in METRIC_COLUMNS.items()}
        flagged = overflow is not None and cells[overflow].strip().upper() == "YES"
        metrics = LayerMetrics(**values, fp16_overflow=int(flagged), fp16_underflow=0)
        source = f"{cells[column['NPUDump']]} (line {line})"
        reason = cells[column["CompareFailReason"]].strip() if "CompareFailReason" in column else ""
        if reason:
            source += f": {reason}"
        ordered = sorted(group, key=LAYERS.index)
        for layer in ordered:
            covered.setdefault(layer, LayerRow(layer, metrics, tuple(thresholds.exceeded(metrics)), ordered[-1],
                                               source))
    if OUTPUT_LAYER not in covered:
        known = ", ".join(layers_of_nodes) or "none"
        raise SrcnnGateError(path, f"no output row of SRCNN's {OUTPUT_LAYER} (GroundTruth naming one of {known}); "
                                   "was it compared against another ONNX model?")
    return LayerComparison(f"msit {Path(path).name}", precision, [covered[layer] for layer in LAYERS
                                                                   if layer in covered], thresholds)


def _read_rows(path: Path) -> list[list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except FileNotFoundError:
        raise SrcnnGateError(path, "msit result CSV not found") from None
    except IsADirectoryError:
        raise SrcnnGateError(path, "is a directory; expected msit's result_{timestamp}.csv") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SrcnnGateError(path, f"not a CSV file ({type(exc).__name__}: {str(exc)[:120]})") from None
    if not rows:
        raise SrcnnGateError(path, "empty: no header, no rows")
    if len(rows) == 1:
        raise SrcnnGateError(path, "has a header but no operator rows")
    return [[cell.strip() for cell in row] for row in rows]


def _number(path: Path, line: int, cells: list[str], column: dict[str, int], name: str) -> float:
    if name not in column or cells[column[name]] in EMPTY:
        return math.nan
    text = cells[column[name]]
    try:
        return float(text)
    except ValueError:
        raise SrcnnGateError(path, f"line {line}, column {name}: {text!r} is not a number") from None
