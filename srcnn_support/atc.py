"""ATC conversion (ONNX -> Ascend ``.om``), one model per batch size, exactly as the guide runs it."""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import MissingRuntimeError, SrcnnGateError
from .export import INPUT_NAME
from .imaging import CROP_SIZE
from .npu_smi import detected_chips, soc_version

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
        result = subprocess.run([atc, "--version"], capture_output=True, text=True, timeout=60)
        return (result.stdout or result.stderr).strip().splitlines()[-1] if (result.stdout or result.stderr) else "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def detect_soc_version() -> str | None:
    chips = detected_chips()
    return soc_version(chips[0]) if chips else None


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
    result = subprocess.run(command, capture_output=True, text=True, cwd=out_dir)
    om_path = out_dir / f"{Path(request.output_stem).name}.om"
    if result.returncode != 0 or not om_path.exists():
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
        raise SrcnnGateError(request.onnx_path, f"ATC failed (exit {result.returncode}): {tail[0]}")
    (out_dir / "atc.json").write_text(json.dumps({**asdict(request), "command": command,
                                                  "atc_version": atc_version(atc)}, indent=2))
    return om_path
