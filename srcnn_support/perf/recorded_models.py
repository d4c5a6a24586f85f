"""Which model file a recorded run names, where its tool writes it: so a perf log and a dump directory handed in
together can be checked to come from one model.

Where the name is written (none of these tools writes a digest of the model):
- ais_bench's summary JSON: its command line, ``"args": [..., "--model", "srcnn_x2_bs1.om", ...]``
  (Ascend/tools ``ais_bench/infer/summary.py`` dumps ``sys.argv``); it sits beside the output folder it names,
  ``result/<date-time>/`` and ``result/<date-time>_summary.json``;
- the ``benchmark`` tool's pure-inference file, named for the model: ``PureInfer_perf_of_<om stem>_in_device_<D>.txt``,
  and its console line ``PureInfer result saved in ./result/PureInfer_perf_of_<om stem>_in_device_<D>.txt``;
- trtexec's banner, ``&&&& RUNNING TensorRT.trtexec [...] # trtexec --loadEngine=<plan> ...`` (or ``--onnx=``).
The ``benchmark`` tool's dataset-mode file (``perf_vision_batchsize_<B>_device_<D>.txt``) and its dump folder
(``dumpOutput_device<D>``) name no model.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

_PURE_INFER_NAME = re.compile(r"PureInfer_perf_of_(.+?)_in_device_\d+\.txt")
_TRTEXEC_MODEL = re.compile(r"^&&&& RUNNING TensorRT\.trtexec.*? --(?:loadEngine|onnx)=(\S+)", re.MULTILINE)


def _model_in_args(args: list) -> str | None:
    for flag in ("--model", "--om_path", "--om-path", "-om_path"):
        if flag in args and args.index(flag) + 1 < len(args):
            return str(args[args.index(flag) + 1])
    joined = next((str(a).split("=", 1)[1] for a in args if str(a).startswith(("--model=", "-om_path="))), None)
    return joined


def model_named_by_log(path: Path) -> str | None:
    """The model file a perf log names, by its file name (``srcnn_x2_bs1.om``), or None."""
    path = Path(path)
    named = _PURE_INFER_NAME.search(path.name)
    if named:
        return f"{named[1]}.om"
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return None
    if text.lstrip().startswith("{"):
        try:
            model = _model_in_args(json.loads(text).get("args") or [])
        except (ValueError, AttributeError):
            return None
        return Path(model).name if model else None
    named = _PURE_INFER_NAME.search(text)
    if named:
        return f"{named[1]}.om"
    engine = _TRTEXEC_MODEL.search(text)
    return Path(engine[1]).name if engine else None


def model_named_by_dump_dir(dump_dir: Path) -> tuple[str | None, str]:
    """The model an output folder came from and where that was read, or (None, why it could not be)."""
    dump_dir = Path(dump_dir)
    summary = dump_dir.parent / f"{dump_dir.name}_summary.json"
    if summary.is_file():
        model = model_named_by_log(summary)
        if model:
            return model, str(summary)
    return None, f"{dump_dir.name} names no model (only ais_bench writes one, in <output>_summary.json beside it)"
