"""Ascend ``.om`` models: ``ais_bench``'s ``InferSession`` when importable, else the guide's ``benchmark`` tool.

Both need an Ascend NPU with CANN installed. Without either, activating raises
:class:`MissingRuntimeError` naming exactly what is absent, and the gates skip.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from srcnn_support.backends.ascend_throughput import (
    ToolThroughput,
    ais_bench_session_throughput,
    benchmark_tool_throughput,
)
from srcnn_support.backends.base import Runner, RunnerInfo
from srcnn_support.backends.benchmark_tool import dataset_run, find_benchmark_tool
from srcnn_support.cache import sha256_file
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError


def ais_bench_available() -> bool:
    try:
        from ais_bench.infer.interface import InferSession  # noqa: F401
    except Exception:  # ImportError, or aclruntime failing to find the CANN libraries
        return False
    return True


def missing_ascend_runtime() -> str | None:
    """None when an .om can be run here, else what is missing."""
    if ais_bench_available() or find_benchmark_tool():
        return None
    return ("no Ascend runtime: python package 'ais_bench' (with 'aclruntime' and CANN) is not importable "
            "and no 'benchmark' tool is on PATH")


def release_session(session) -> None:
    """Free the device memory and model of an ais_bench session, also on builds without ``free_resource``.

    ais_bench's ``InferSession.free_resource`` releases the model and context; older builds have
    only ``finalize``. Without either the session's buffers are kept until the process ends.
    """
    for name in ("free_resource", "finalize"):
        release = getattr(session, name, None)
        if callable(release):
            release()
            return
    raise SrcnnGateError("ais_bench", "InferSession has neither free_resource() nor finalize(): the session "
                         "would stay on the device; upgrade ais_bench")


class AscendOmRunner(Runner):
    """Runs a fixed-batch ``.om``; ``infer`` takes exactly that batch size."""

    name = "ascend-om"

    def __init__(self, om_path: Path, batch_size: int, device_id: int = 0, precision_mode: str = "unknown") -> None:
        super().__init__()
        self.om_path = Path(om_path)
        self.batch_size = batch_size
        self.device_id = device_id
        self.precision_mode = precision_mode
        self._session = None
        self._tool: str | None = None
        self._om_sha256: str | None = None

    def activate_impl(self) -> None:
        reason = missing_ascend_runtime()
        if reason:
            raise MissingRuntimeError(self.name, reason)
        if ais_bench_available():
            from ais_bench.infer.interface import InferSession

            self._session = InferSession(self.device_id, str(self.om_path))
        else:
            self._tool = find_benchmark_tool()

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        if batch.shape[0] != self.batch_size:
            raise SrcnnGateError(self.om_path, f"model was converted for batch {self.batch_size}, got {batch.shape[0]}")
        if self._session is not None:
            return np.asarray(self._session.infer([batch], mode="static")[0]).reshape(batch.shape)
        return self._infer_with_benchmark_tool(batch)

    def _infer_with_benchmark_tool(self, batch: np.ndarray) -> np.ndarray:
        """The guide's file contract: bins + info file in, one ``<stem>_1.bin`` per input out."""
        assert self._tool is not None
        with tempfile.TemporaryDirectory(prefix="srcnn-benchmark-") as tmp:
            run = dataset_run(self._tool, self.om_path, self.batch_size, self.device_id, list(batch[:, 0]), Path(tmp))
            return run.outputs(*batch.shape[2:])

    def tool_throughput(self, planes: list[np.ndarray]) -> ToolThroughput:
        """The tool's own per-chip figure over ``planes`` (the whole prepared set); see ascend_throughput."""
        if self._session is not None:
            return ais_bench_session_throughput(self._session, self.batch_size, planes)
        assert self._tool is not None, "activate() first"
        return benchmark_tool_throughput(self._tool, self.om_path, self.batch_size, self.device_id, planes)

    def deactivate_impl(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            release_session(session)

    def info(self) -> RunnerInfo:
        via = "ais_bench.InferSession" if self._session is not None else (self._tool or "none")
        if self._om_sha256 is None:
            self._om_sha256 = sha256_file(self.om_path)
        return RunnerInfo(self.name, f"atc precision_mode={self.precision_mode}", {"om_sha256": self._om_sha256},
                          {"via": via, "device_id": str(self.device_id), "model": self.om_path.name})
