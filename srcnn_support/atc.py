"""ATC conversion (ONNX -> Ascend ``.om``), one model per batch size, exactly as the guide runs it."""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import MissingRuntimeError, SrcnnGateError
from .export import INPUT_NAME
from .imaging import CROP_SIZE
from .tools import QUERY_TIMEOUT_S, ToolError, job_timeout_s, query_tool, run_tool

ATC_CODE_MODULES = ("atc",)
# ATC converts to fp16 unless told otherwise; the precision is part of every .om's identity.
DEFAULT_PRECISION_MODE = "force_fp16"


@dataclass(frozen=True)
class AtcRequest:
    onnx_path: str
    output_stem: str
    batch_size: int
    soc_version: str
    precision_mode: str = DEFAULT_PRECISION_MODE
    size: int = CROP_SIZE


def atc_command(request: AtcRequest, atc: str = "atc") -> list[str]:
    return [
        atc, "--framework=5", f"--model={request.onnx_path}", f"--output={request.output_stem}",
        "--input_format=NCHW", f'--input_shape={INPUT_NAME}:{request.batch_size},1,{request.size},{request.size}',
        "--log=error", f"--soc_version={request.soc_version}", f"--precision_mode={request.precision_mode}",
    ]


MISSING_ATC = "no 'atc' on PATH to convert ONNX to .om (source the CANN toolkit's set_env.sh)"


def find_atc() -> str:
    atc = shutil.which("atc")
    if not atc:
        raise MissingRuntimeError("atc", MISSING_ATC)
    return atc


def atc_version(atc: str) -> str:
    try:
        result = run_tool([atc, "--version"], QUERY_TIMEOUT_S, check=False)
    except ToolError:
        return "unknown"
    return (result.stdout or result.stderr).strip().splitlines()[-1] if (result.stdout or result.stderr) else "unknown"


_SOC = re.compile(r"^\|\s*\d+\s+(?P<name>\S+)\s+\|", re.MULTILINE)


def parse_npu_smi_chip(text: str) -> str | None:
    """``npu-smi info`` lists e.g. ``| 0       310P3     | OK ...``; ATC wants ``Ascend310P3``."""
    match = _SOC.search(text)
    if not match:
        return None
    name = match["name"]
    return name if name.startswith("Ascend") else f"Ascend{name}"


def detect_soc_version() -> str | None:
    npu_smi = shutil.which("npu-smi")
    if not npu_smi:
        return None
    output = query_tool([npu_smi, "info"])
    return parse_npu_smi_chip(output) if output is not None else None


def require_soc_version(explicit: str | None) -> str:
    """The ``--soc_version`` given, else the chip ``npu-smi info`` names; neither is an error."""
    soc = explicit or detect_soc_version()
    if not soc:
        raise MissingRuntimeError("npu-smi", "no --soc-version given and 'npu-smi info' did not name a chip")
    return soc


def convert(request: AtcRequest, out_dir: Path) -> Path:
    """Run ATC into ``out_dir``; write the request beside the ``.om`` so its precision is never lost."""
    atc = find_atc()
    command = atc_command(request, atc)
    try:
        run_tool(command, job_timeout_s(), cwd=out_dir)
    except ToolError as exc:
        raise SrcnnGateError(request.onnx_path, f"ATC failed: {exc}") from None
    om_path = out_dir / f"{Path(request.output_stem).name}.om"
    if not om_path.exists():
        raise SrcnnGateError(request.onnx_path, f"ATC exited 0 but wrote no {om_path.name}")
    (out_dir / "atc.json").write_text(json.dumps({**asdict(request), "command": command,
                                                  "atc_version": atc_version(atc)}, indent=2))
    return om_path
