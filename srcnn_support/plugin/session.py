"""The plugin's one piece of state per pytest run, kept in ``config.stash``."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from srcnn_support.cache import ArtifactCache
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import GateConfig, check_given_files, gate_config
from srcnn_support.report.results import ResultsRecorder


@dataclass
class GateSession:
    """Everything the hooks and fixtures share: configuration, results, the cache and what the run wrote."""

    config: pytest.Config
    recorder: ResultsRecorder = field(default_factory=ResultsRecorder)
    cache: ArtifactCache | None = None
    worker_cache_counts: list[int] = field(default_factory=lambda: [0, 0])  # built, reused on xdist workers
    report_paths: tuple[Path, Path] | None = None
    report_error: str | None = None  # the report could not be written (read-only or full artifacts dir)
    benchmark_json: str | None = None  # --benchmark-json, where the suite wrote it (pytest-benchmark did not)
    document: dict | None = None  # this run's results document, its RELEASE line included (controller, at the end)
    set_aside: list[str] = field(default_factory=list)  # tests deselected as not applicable, said once
    skip_reasons: dict[str, int] = field(default_factory=dict)  # reason -> tests skipped for it
    _gate: GateConfig | None = None
    _targets: dict | None = None

    @property
    def gate(self) -> GateConfig:
        if self._gate is None:
            try:
                gate = gate_config(self.config.getoption)
                check_given_files(gate)
                if gate.target not in self.targets:
                    raise SrcnnGateError(gate.target, f"unknown --target; known: {', '.join(self.targets)} "
                                                      "(add one to fixtures/targets.json)")
                dump_dir = self.config.getoption("dump_dir")
                if dump_dir and not Path(dump_dir).is_dir():
                    raise SrcnnGateError(dump_dir, "--dump-dir: folder not found")
                self._gate = gate
            except SrcnnGateError as exc:  # a bad --dataset-dir etc.: one line, no traceback, exit code 4
                raise pytest.UsageError(str(exc)) from None
        return self._gate

    @property
    def targets(self) -> dict:
        if self._targets is None:
            from srcnn_support.gate.config import TARGETS_FILE
            from srcnn_support.gate.targets import load_targets

            self._targets = load_targets(TARGETS_FILE)
        return self._targets

    def perf_target_or_none(self):
        return self.targets.get(self.gate.target)

    def recorded_run_given(self) -> bool:
        """``--perf-log`` holds a run of the target's own tools (reference logs alone only set a bar)."""
        from srcnn_support.gate.recorded_perf import own_logs, read_logs

        target = self.perf_target_or_none()
        if not self.gate.perf_logs or target is None:
            return bool(self.gate.perf_logs)
        try:
            return bool(own_logs(target, read_logs(self.gate.perf_logs)))
        except SrcnnGateError:
            return True  # the recorded tests name the unreadable file

    def cache_counts(self) -> tuple[int, int]:
        built, reused = (len(self.cache.stats.built), len(self.cache.stats.reused)) if self.cache else (0, 0)
        return built + self.worker_cache_counts[0], reused + self.worker_cache_counts[1]


SESSION_KEY = pytest.StashKey[GateSession]()


def start_session(config: pytest.Config) -> GateSession:
    session = GateSession(config)
    config.stash[SESSION_KEY] = session
    return session


def session_of(config: pytest.Config) -> GateSession:
    return config.stash[SESSION_KEY]
