"""Facts about the machine and the software a report section was measured on."""
from __future__ import annotations

import platform
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path

from srcnn_support.cache import sha256_file
from srcnn_support.npu_smi import describe_chips, detected_chips
from srcnn_support.tools import query_tool


def environment(command: list[str], dataset_files: list[Path], weights: dict) -> dict:
    versions = {}
    for package in ("torch", "onnxruntime", "onnx", "numpy", "pillow", "scikit-image", "pytest", "pytest-benchmark"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    from srcnn_support.perf.host import cpu_flags, cpu_model, describe_int8_class

    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "command": " ".join(command),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_int8_class": describe_int8_class(cpu_flags()),
        "gpu": _tool_line(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"]) or "none found",
        "npu": describe_chips(detected_chips()) or "none found",
        "versions": versions,
        "weights": weights,
        "dataset": {p.name: sha256_file(p) for p in dataset_files},
    }


def _tool_line(command: list[str]) -> str | None:
    if not shutil.which(command[0]):
        return None
    out = (query_tool(command) or "").strip()
    return " | ".join(out.splitlines()[:3]) or None

