"""Every external tool (ATC, benchmark, trtexec, npu-smi, nvidia-smi) is started here, with a timeout.

A hung tool must cost one backend its tests, not the whole run: the tool is started in a process
group of its own so that on timeout the group is killed (ATC and benchmark start children of
their own, which a plain ``subprocess.run(timeout=...)`` would leave running), and a crash, a
timeout and a failing exit status each become a one-line :class:`ToolError` naming the tool.
"""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from srcnn_support.errors import SrcnnGateError

QUERY_TIMEOUT_S = 30.0  # npu-smi info, nvidia-smi, --version: answer at once or not at all
JOB_TIMEOUT_S = 900.0  # a conversion, engine build or benchmark run over a dataset
TIMEOUT_ENV = "SRCNN_TOOL_TIMEOUT_S"  # overrides JOB_TIMEOUT_S, e.g. for a slow board


class ToolError(SrcnnGateError):
    """An external tool could not be started, crashed, hung or failed."""


def job_timeout_s() -> float:
    value = os.environ.get(TIMEOUT_ENV)
    try:
        return float(value) if value else JOB_TIMEOUT_S
    except ValueError:
        raise SrcnnGateError(TIMEOUT_ENV, f"must be a number of seconds, got {value!r}") from None


def run_tool(command: list[str], timeout_s: float, cwd: str | Path | None = None,
             check: bool = True) -> subprocess.CompletedProcess:
    """Run ``command`` to completion; raise :class:`ToolError` if it cannot start, hangs, crashes or fails."""
    name = Path(command[0]).name
    try:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   errors="replace", start_new_session=True)
    except OSError as exc:
        raise ToolError(command[0], f"cannot be started ({exc.strerror or exc})") from None
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        raise ToolError(name, f"hung: no result after {timeout_s:g} s, killed with its children "
                              f"({_last_line(stderr, stdout)}; set {TIMEOUT_ENV} to allow longer)") from None
    except BaseException:  # Ctrl-C or SIGTERM while waiting: never leave the tool running behind us
        _kill_group(process)
        process.wait()
        raise
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if process.returncode < 0:
        raise ToolError(name, f"crashed ({_signal_name(-process.returncode)}): {_last_line(stderr, stdout)}")
    if check and process.returncode != 0:
        raise ToolError(name, f"exited with {process.returncode}: {_last_line(stderr, stdout)}")
    return result


def query_tool(command: list[str]) -> str | None:
    """The stdout of a quick query, or None when the tool is absent, fails, crashes or hangs."""
    try:
        return run_tool(command, QUERY_TIMEOUT_S).stdout
    except ToolError:
        return None


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _last_line(*outputs: str | None) -> str:
    for output in outputs:
        lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
        if lines:
            return lines[-1][:300]
    return "no output"
