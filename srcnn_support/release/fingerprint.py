"""The machine a figure was measured on, as plain facts that two runs can compare.

A throughput figure means something only on the hardware and software it was measured with: the CPU model and
its int8 class, the cores the process may use, the GPU or NPU and its driver, CANN. The runtime versions travel
with each row (``versions``) and are compared there. pytest-benchmark keys its storage by a machine id for the
same reason; ionelmc/pytest-benchmark#276 is users asking what to do when CI machines change, which is why a
baseline from another machine is reported as not comparable rather than gated or silently passed.
"""
from __future__ import annotations

import shutil
from functools import lru_cache

FINGERPRINT_FIELDS = ("recorded_on", "cpu", "cpu_int8_class", "cores", "gpu", "npu", "cann")


@lru_cache(maxsize=1)
def machine_fingerprint() -> dict:
    from srcnn_support.npu_smi import describe_chips, detected_chips
    from srcnn_support.perf.host import cpu_flags, cpu_model, int8_class, usable_cores

    chips = detected_chips()
    fingerprint = {"cpu": cpu_model(), "cpu_int8_class": int8_class(cpu_flags()), "cores": usable_cores(),
                   "gpu": _gpus(), "npu": describe_chips(chips) or "none"}
    if chips or shutil.which("atc"):
        from srcnn_support.convert.cann import cann_version

        fingerprint["cann"] = cann_version(shutil.which("atc"))[0]
    return fingerprint


def _gpus() -> str:
    """``2 x NVIDIA H100 80GB HBM3 (driver 550.54)`` from nvidia-smi, or ``none``."""
    from srcnn_support.tools import query_tool

    tool = shutil.which("nvidia-smi")
    text = query_tool([tool, "--query-gpu=name,driver_version", "--format=csv,noheader"]) if tool else None
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return "none"
    kinds = {line: lines.count(line) for line in lines}
    return ", ".join(f"{count} x {name.split(',')[0].strip()} (driver {name.split(',')[-1].strip()})"
                     for name, count in kinds.items())


def differences(accepted: dict | None, current: dict | None) -> list[str]:
    """What differs between two fingerprints, one phrase each (``cpu AMD EPYC 7B13 -> Intel Xeon``)."""
    if not accepted or not current:
        return ["the accepted release names no machine" if not accepted else "this run names no machine"]
    return [f"{name} {accepted.get(name, 'unknown')} -> {current.get(name, 'unknown')}"
            for name in FINGERPRINT_FIELDS
            if name in accepted or name in current
            if str(accepted.get(name, "unknown")) != str(current.get(name, "unknown"))]


def version_differences(accepted: dict | None, current: dict | None) -> list[str]:
    """Runtime versions that differ between two rows' ``versions`` (``onnxruntime 1.31.0 -> 1.32.0``)."""
    accepted, current = accepted or {}, current or {}
    return [f"{name} {accepted.get(name, 'absent')} -> {current.get(name, 'absent')}"
            for name in sorted(set(accepted) | set(current)) if accepted.get(name) != current.get(name)]


@lru_cache(maxsize=1)
def suite_identity() -> dict:
    """The suite that made a run: its version, and the commit of the checkout it ran from where there is one."""
    from importlib import metadata

    from srcnn_support.perf.machine_info import commit_info

    try:
        version = metadata.version("srcnn-gate")
    except metadata.PackageNotFoundError:
        version = "not installed (run from a checkout)"
    identity = {"name": "srcnn-gate", "version": version}
    commit = commit_info()
    if commit["id"] != "unversioned":
        identity["commit"], identity["modified"] = commit["id"], commit["dirty"]
    return identity
