"""Puts the emulators on a PATH as ``npu-smi``, ``atc`` and ``benchmark``, beside an emulated CANN install.

The CANN install is only its version file (``compiler/version.info``, as the toolkit writes it), so the
suite's version lookup meets the real file name and key.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.conftest import EMULATORS

TOOLS = {"npu-smi": "npu_smi_emulator.py", "atc": "atc_emulator.py", "benchmark": "benchmark_emulator.py"}


def install_ascend_emulators(root: Path, chip: str = "310", interface_fps: float | str = 348.038,
                             cann_version: str = "7.0.0.5.242") -> dict[str, str]:
    """Write launchers under ``root/bin`` and a CANN version file; return the environment to run with."""
    bin_dir, cann = root / "bin", root / "cann"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (cann / "compiler").mkdir(parents=True, exist_ok=True)
    (cann / "compiler" / "version.info").write_text(f"Version={cann_version}\n")
    for name, script in TOOLS.items():
        launcher = bin_dir / name
        launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{EMULATORS / script}" "$@"\n')
        launcher.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "ASCEND_HOME_PATH": str(cann),
            "SRCNN_EMULATOR_NPU_CHIP": chip, "SRCNN_EMULATOR_INTERFACE_FPS": str(interface_fps)}


def put_emulators_on_path(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for tool, script in (("trtexec", "trtexec_emulator.py"), ("nvidia-smi", "nvidia_smi_emulator.py")):
        launcher = directory / tool
        launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{EMULATORS / script}" "$@"\n')
        launcher.chmod(0o755)
    return directory
