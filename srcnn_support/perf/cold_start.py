"""What a backend cost before its first steady-state figure: artifact build, session creation, first call.

Recorded beside every timed row and never gated (issue 26): a port whose session takes 40 s to build, or whose
first call compiles kernels for seconds, has the same steady throughput as one that is ready at once, but a
service that scales out cold pays the difference. onnxruntime_perf_test prints its session creation time and
trtexec its engine build for the same reason.

Three phases, each with its own clock:
- ``artifacts``: obtaining every artifact the runner needs (export, quantisation, ATC, engine build). An artifact
  built earlier (by the accuracy tests, or an earlier run) is taken from the cache in milliseconds; its recorded
  build time is then read from its manifest, so the row says both what this test waited and what a cold machine
  would.
- ``session``: ``runner.activate()``: ONNX Runtime session creation and graph optimisation, loading an .om,
  deserialising an engine.
- ``first call``: the first ``infer`` on the real batch, where lazy kernel selection and allocation happen.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class ColdStart:
    artifacts_waited_s: float | None = None  # what this test waited for its artifacts (a cache hit: ~0)
    artifacts_built: list[str] = field(default_factory=list)  # built by this test; the rest came from the cache
    artifacts_build_s: float | None = None  # what building them takes on this machine (measured or from manifests)
    session_s: float | None = None
    first_call_ms: float | None = None

    @property
    def ready_s(self) -> float | None:
        """Cold machine to first output: build every artifact, open the session, make the first call."""
        parts = (self.artifacts_build_s, self.session_s, None if self.first_call_ms is None
                 else self.first_call_ms / 1000)
        known = [part for part in parts if part is not None]
        return round(sum(known), 3) if known else None

    def as_row(self) -> dict:
        return {"cold_start": {
            "artifacts_waited_s": _round(self.artifacts_waited_s), "artifacts_built": list(self.artifacts_built),
            "artifacts_build_s": _round(self.artifacts_build_s), "session_s": _round(self.session_s),
            "first_call_ms": _round(self.first_call_ms), "ready_s": self.ready_s}}


class ColdStartClock:
    """Times the phases of one runner's start; ``cache`` is the run's ArtifactCache (None: artifacts untimed)."""

    def __init__(self, cache=None) -> None:
        self.cache = cache
        self.cold = ColdStart()

    def artifacts(self, build: Callable[[], T]) -> T:
        stats = self.cache.stats if self.cache is not None else None
        seen_built = len(stats.built) if stats else 0
        seen_reused = len(stats.reused) if stats else 0
        started = time.perf_counter()
        result = build()
        self.cold.artifacts_waited_s = time.perf_counter() - started
        if stats is not None:
            built, reused = stats.built[seen_built:], stats.reused[seen_reused:]
            self.cold.artifacts_built = [label.split("/")[0] for label in built]
            seconds = [stats.build_seconds.get(label) for label in built + reused]
            known = [s for s in seconds if s is not None]
            self.cold.artifacts_build_s = sum(known) if known else None
        return result

    @contextmanager
    def started(self, runner):
        """``with runner`` with its activation timed: yields the active runner, deactivates it after."""
        began = time.perf_counter()
        with runner as active:
            self.cold.session_s = time.perf_counter() - began
            yield active

    def first_call(self, infer: Callable[[T], object], batch: T):
        started = time.perf_counter()
        output = infer(batch)
        self.cold.first_call_ms = (time.perf_counter() - started) * 1000
        return output


def describe_cold_start(cold: dict | None) -> str:
    """``ready 2.41 s = artifacts 1.90 s (from cache) + session 0.48 s + first call 31.2 ms``, or ``n/a``."""
    if not cold or cold.get("ready_s") is None:
        return "n/a"
    parts = []
    if cold.get("artifacts_build_s") is not None:
        origin = f"built: {', '.join(cold['artifacts_built'])}" if cold.get("artifacts_built") else "from cache"
        parts.append(f"artifacts {cold['artifacts_build_s']:.2f} s ({origin})")
    if cold.get("session_s") is not None:
        parts.append(f"session {cold['session_s']:.2f} s")
    if cold.get("first_call_ms") is not None:
        parts.append(f"first call {cold['first_call_ms']:.1f} ms")
    return f"ready {cold['ready_s']:.2f} s = " + " + ".join(parts)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
