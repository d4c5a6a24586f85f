"""The CPU as ``/proc/cpuinfo`` names it: model and flags. Read by the backends (which runtimes this CPU can run
natively) and by ``perf/host.py`` (the int8 class and peaks its figures are held to), so it sits below both."""
from __future__ import annotations

import platform
import re
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")


def read_cpuinfo() -> str:
    try:
        return CPUINFO.read_text()
    except OSError:
        return ""


def cpu_flags(cpuinfo: str | None = None) -> frozenset[str]:
    text = read_cpuinfo() if cpuinfo is None else cpuinfo
    match = re.search(r"^flags\s*:\s*(.*)$", text, re.MULTILINE)
    return frozenset(match[1].split()) if match else frozenset()


def cpu_model(cpuinfo: str | None = None) -> str:
    text = read_cpuinfo() if cpuinfo is None else cpuinfo
    match = re.search(r"^model name\s*:\s*(.*)$", text, re.MULTILINE)
    return match[1].strip() if match else (platform.processor() or "unknown")
