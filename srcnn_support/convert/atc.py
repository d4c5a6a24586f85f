"""ATC conversion (ONNX -> Ascend ``.om``), one model per batch size, exactly as the guide runs it."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from srcnn_support.atomic import atomic_write_text
from srcnn_support.convert.cann import cann_version
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME
from srcnn_support.npu_smi import detected_chips, soc_version
from srcnn_support.prepare.imaging import CROP_SIZE
from srcnn_support.tools import ToolError, job_timeout_s, run_tool

ATC_CODE_MODULES = ("convert/atc",)
# ATC converts to fp16 unless told otherwise; the precision is part of every .om's identity.
DEFAULT_PRECISION_MODE = "force_fp16"
# ATC's --precision_mode values (CANN ATC reference; torch_npu's kCubeMathType table maps the same names).
# Only these two keep an fp32 ONNX model in fp32; every other mode lets cube ops run in fp16/bf16.
FP32_PRECISION_MODES = ("force_fp32", "must_keep_origin_dtype")
REDUCED_PRECISION_MODES = ("force_fp16", "cube_fp16in_fp32out", "allow_fp32_to_fp16", "allow_mix_precision",
                           "allow_mix_precision_fp16", "allow_mix_precision_bf16", "allow_fp32_to_bf16",
                           "force_lowerprecision")


def keeps_fp32(precision_mode: str) -> bool:
    """Whether an .om built with this mode computes in fp32 (so the fp32 equality rule applies)."""
    if precision_mode in FP32_PRECISION_MODES:
        return True
    if precision_mode in REDUCED_PRECISION_MODES:
        return False
    known = ", ".join(FP32_PRECISION_MODES + REDUCED_PRECISION_MODES)
    raise SrcnnGateError("--precision-mode", f"unknown ATC precision_mode {precision_mode!r} (known: {known})")


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
    """The CANN toolkit's version as its install records it (``atc --version`` prints none)."""
    return cann_version(atc)[0]


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
    """Run ATC, then put ``<stem>.om`` and its request record ``<stem>.atc.json`` in ``out_dir``.

    ATC writes into a private folder inside ``out_dir``; the ``.om`` is renamed into place only when ATC
    succeeded, so a failed or interrupted conversion never leaves a half-written ``.om`` where a user or the
    cache would take it. One record per ``.om``: several batch sizes converted into one folder keep theirs."""
    atc = find_atc()
    keeps_fp32(request.precision_mode)  # an unknown mode is refused before ATC runs
    stem = Path(request.output_stem).name
    out_dir.mkdir(parents=True, exist_ok=True)
    om_path = out_dir / f"{stem}.om"
    with tempfile.TemporaryDirectory(prefix=f".{stem}.atc-", dir=out_dir) as work:
        staged = replace(request, output_stem=str(Path(work) / stem))
        try:
            run_tool(atc_command(staged, atc), job_timeout_s(), cwd=work)
        except ToolError as exc:
            raise SrcnnGateError(request.onnx_path, f"ATC failed: {exc}") from None
        if not (Path(work) / om_path.name).exists():
            raise SrcnnGateError(request.onnx_path, f"ATC exited 0 but wrote no {om_path.name}")
        version, version_source = cann_version(atc)
        os.replace(Path(work) / om_path.name, om_path)
    record = {**asdict(request), "command": atc_command(request, atc), "atc_version": version,
              "atc_version_source": version_source}
    try:
        atomic_write_text(record_path(om_path), json.dumps(record, indent=2))
    except OSError:
        om_path.unlink(missing_ok=True)  # an .om without its precision record is not released
        raise
    return om_path


def record_path(om_path: Path) -> Path:
    """The request record written beside an ``.om``: its precision mode, batch, SoC and ATC version."""
    return om_path.with_name(f"{om_path.stem}.atc.json")
