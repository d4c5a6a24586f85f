"""The machine and the code behind every figure, in pytest-benchmark's ``machine_info`` / ``commit_info`` shape.

pytest-benchmark writes these two objects into ``--benchmark-json`` (``pytest_benchmark_generate_machine_info``
and ``get_commit_info`` in ionelmc/pytest-benchmark ``plugin.py`` / ``utils.py``), but not under xdist, where it
disables itself, and it knows nothing of what decides an SRCNN figure: the CPU's int8/bf16 instructions, the
threads the runtimes were given, the memory, the runtime versions and the weights. The suite writes the same
keys, filled from this process, plus its own under ``srcnn_gate``, into the results JSON, the report header
and ``--benchmark-json`` (also under xdist), so one reader serves all three.
"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from srcnn_support.perf.host import cpu_flags, cpu_model, describe_int8_class, int8_class, read_cpuinfo, usable_cores

RUNTIMES = ("torch", "onnxruntime", "onnx", "numpy", "openvino", "tensorrt", "polygraphy", "ais_bench", "aclruntime")
ISA_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "amx_tile")
CHECKOUT = Path(__file__).resolve().parents[2]


def runtime_versions() -> dict[str, str]:
    """Installed runtimes only: an absent optional runtime is not a version."""
    found = {}
    for package in RUNTIMES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


def memory_total_bytes(meminfo: str | None = None) -> int | None:
    if meminfo is None:
        try:
            meminfo = Path("/proc/meminfo").read_text()
        except OSError:
            return None
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return None


def physical_cores(cpuinfo: str | None = None) -> int | None:
    """Distinct (package, core) pairs: ONNX Runtime's default intra-op thread count is one per physical core."""
    text = read_cpuinfo() if cpuinfo is None else cpuinfo
    pairs, package = set(), "0"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "physical id":
            package = value.strip()
        elif key.strip() == "core id":
            pairs.add((package, value.strip()))
    return len(pairs) or None


def threads_used() -> dict[str, str]:
    """What each runtime runs on: the suite leaves ONNX Runtime's intra-op pool at its default."""
    threads = {"onnxruntime intra-op": f"default (one per physical core: {physical_cores() or 'unknown'})",
               "onnxruntime inter-op": "1 (sequential execution)"}
    try:
        import torch

        threads["torch"] = str(torch.get_num_threads())
    except ImportError:
        pass
    return threads


@lru_cache(maxsize=1)
def machine_info() -> dict:
    """pytest-benchmark's machine_info keys, and the suite's own facts under ``srcnn_gate``."""
    flags = cpu_flags()
    memory = memory_total_bytes()
    return {
        "node": platform.node(), "processor": platform.processor(), "machine": platform.machine(),
        "python_compiler": platform.python_compiler(), "python_implementation": platform.python_implementation(),
        "python_implementation_version": platform.python_version(), "python_version": platform.python_version(),
        "python_build": list(platform.python_build()), "release": platform.release(), "system": platform.system(),
        "cpu": {"brand_raw": cpu_model(), "arch": platform.machine(), "count": os.cpu_count(),
                "flags": sorted(flag for flag in flags if flag in ISA_FLAGS)},
        "srcnn_gate": {
            "cpu_model": cpu_model(), "isa_class": int8_class(flags), "isa": describe_int8_class(flags),
            "logical_cores": os.cpu_count(), "usable_cores": usable_cores(), "physical_cores": physical_cores(),
            "threads": threads_used(), "memory_total_bytes": memory,
            "memory": f"{memory / 2**30:.1f} GiB" if memory else "unknown",
            "os": platform.platform(), "python": platform.python_version(), "runtimes": runtime_versions(),
        },
    }


@lru_cache(maxsize=1)
def _git_commit_info() -> dict:
    info = {"id": "unversioned", "time": None, "author_time": None, "dirty": False, "project": "srcnn-gate",
            "branch": "(unknown)"}
    if not (CHECKOUT / ".git").exists() or not shutil.which("git"):
        return info

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(CHECKOUT), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    info["id"] = git("rev-parse", "HEAD") or "unknown"
    info["time"] = git("show", "-s", "--pretty=format:%cI")
    info["author_time"] = git("show", "-s", "--pretty=format:%aI")
    status = git("status", "--porcelain", "--untracked-files=no")
    info["dirty"] = bool(status) if status is not None else "unknown"
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    info["branch"] = "(detached head)" if branch == "HEAD" else branch or "(unknown)"
    return info


def commit_info(weights: dict | None = None) -> dict:
    """pytest-benchmark's commit_info keys for the suite's checkout, and the weights under test."""
    info = dict(_git_commit_info())
    if weights:
        info["weights_md5"], info["weights_sha256"] = weights.get("md5"), weights.get("sha256")
    return info


def describe_machine(machine: dict | None, commit: dict | None) -> str:
    """One paragraph for the report header: what the figures were measured on and with."""
    own = (machine or {}).get("srcnn_gate")
    if not own:
        return "Measured on: not recorded (a results file from before the suite wrote machine_info)."
    threads = ", ".join(f"{name} {count}" for name, count in own.get("threads", {}).items())
    runtimes = ", ".join(f"{name} {version}" for name, version in own.get("runtimes", {}).items())
    commit = commit or {}
    head = f"`{str(commit.get('id', 'unknown'))[:12]}`" + (" (modified)" if commit.get("dirty") is True else "")
    return (f"Measured on: {own.get('cpu_model')} ({own.get('isa')}); {own.get('logical_cores')} logical cores, "
            f"{own.get('usable_cores')} usable; threads: {threads}; memory {own.get('memory')}; {own.get('os')}; "
            f"Python {own.get('python')}; {runtimes}. Suite commit {head}, weights md5 "
            f"`{commit.get('weights_md5') or 'unknown'}`.")
