"""Cold start: what a runner cost before its first figure, with a build taken from the cache still counted."""
from __future__ import annotations

import time

import numpy as np

from srcnn_support.backends.base import Runner, RunnerInfo
from srcnn_support.cache import ArtifactCache
from srcnn_support.perf.cold_start import ColdStartClock, describe_cold_start


class SlowStartRunner(Runner):
    name = "slow-start"

    def __init__(self, activate_s: float, first_call_s: float) -> None:
        super().__init__()
        self.activate_s, self.first_call_s, self.calls = activate_s, first_call_s, 0

    def activate_impl(self) -> None:
        time.sleep(self.activate_s)

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        self.calls += 1
        if self.calls == 1:
            time.sleep(self.first_call_s)
        return batch

    def info(self) -> RunnerInfo:
        return RunnerInfo(self.name, "fp32")


def _build_artifact(cache: ArtifactCache, build_s: float):
    def build(folder):
        time.sleep(build_s)
        (folder / "model.bin").write_bytes(b"weights")

    return cache.get_or_build("model", {"weights": "w"}, build)


def test_each_phase_is_timed_and_a_built_artifact_is_named(tmp_path):
    clock = ColdStartClock(ArtifactCache(tmp_path))
    runner = clock.artifacts(lambda: (_build_artifact(clock.cache, 0.2), SlowStartRunner(0.1, 0.05))[1])
    with clock.started(runner) as active:
        assert active.is_active
        clock.first_call(active.infer, np.zeros((1, 1, 4, 4), np.float32))
    assert not runner.is_active
    cold = clock.cold
    assert cold.artifacts_built == ["model"]
    assert 0.2 <= cold.artifacts_build_s < 1.0 and cold.artifacts_waited_s >= cold.artifacts_build_s
    assert 0.1 <= cold.session_s < 1.0
    assert 50 <= cold.first_call_ms < 1000
    assert cold.ready_s == round(cold.artifacts_build_s + cold.session_s + cold.first_call_ms / 1000, 3)


def test_an_artifact_from_the_cache_keeps_its_recorded_build_time(tmp_path):
    _build_artifact(ArtifactCache(tmp_path), 0.2)  # an earlier run built it
    clock = ColdStartClock(ArtifactCache(tmp_path))
    clock.artifacts(lambda: _build_artifact(clock.cache, 5.0))  # a reuse never builds
    assert clock.cold.artifacts_built == []
    assert clock.cold.artifacts_waited_s < 0.2 <= clock.cold.artifacts_build_s
    row = clock.cold.as_row()["cold_start"]
    assert describe_cold_start(row).startswith(f"ready {row['ready_s']:.2f} s = artifacts")
    assert "(from cache)" in describe_cold_start(row)


def test_a_row_without_cold_start_says_not_available():
    assert describe_cold_start(None) == "n/a"
    assert describe_cold_start({"ready_s": None}) == "n/a"
