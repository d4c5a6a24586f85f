"""Whether a host-timed section had the machine to itself.

Two things take a timed section's CPU away: other processes (a busy job beside the run, another xdist worker's
tests), read as the CPU time the whole machine spent (``/proc/stat``'s first line) minus this process's own
(``time.process_time``, every thread of it) over the window; and another timed section of this suite, kept out
by a host-wide lock that every timed section holds (other xdist workers, another pytest run on the machine).

A section whose window was contended is measured again after the machine has gone quiet, within a bounded
wait; still contended, its figure is marked so, with the share, and no gate may read it as PASS or FAIL.
The threshold and the readings behind it: docs/decisions/0009-timed-alone-or-not-decided.md.
"""
from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from srcnn_support.cache import FileLock  # filelock, or the fcntl fallback where it is absent

PROC_STAT = Path("/proc/stat")
MAX_OTHER_SHARE = 0.10  # of the machine's CPU time over the window, used by other processes
QUIET_PROBE_S = 1.0
MAX_WAIT_S = 60.0  # per section, for the machine to go quiet before measuring again
MAX_TOTAL_WAIT_S = 150.0  # per process: on a machine that never goes quiet the run still ends in bounded time
LOCK_ENV = "SRCNN_TIMING_LOCK"  # a path: the host-wide lock of timed sections (default in the temp folder)
T = TypeVar("T")


def machine_busy_seconds(text: str | None = None) -> tuple[float, int] | None:
    """CPU seconds the machine spent busy (all but idle and iowait) since boot, and its CPU count, from
    ``/proc/stat``; None where there is no such file."""
    try:
        text = PROC_STAT.read_text() if text is None else text
    except OSError:
        return None
    lines = text.splitlines()
    fields = [int(v) for v in lines[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    guest = sum(fields[8:10]) if len(fields) > 9 else 0  # already counted in user and nice
    cpus = sum(1 for line in lines[1:] if line.startswith("cpu") and line[3:4].isdigit())
    return (sum(fields) - idle - guest) / os.sysconf("SC_CLK_TCK"), max(cpus, 1)


@dataclass(frozen=True)
class Window:
    wall_s: float
    machine_busy_s: float
    own_s: float
    cpus: int

    @property
    def other_share(self) -> float:
        """Share of the machine's CPU time other processes used over the window (0: alone)."""
        if self.wall_s <= 0:
            return 0.0
        return max(0.0, self.machine_busy_s - self.own_s) / (self.wall_s * self.cpus)


class WindowMeter:
    """Reads a window's figures; ``read`` (a ``/proc/stat`` text) can be replaced by tests."""

    def __init__(self, read: Callable[[], str | None] = lambda: None,
                 clock: Callable[[], float] = time.perf_counter,
                 own: Callable[[], float] = time.process_time) -> None:
        self._read, self._clock, self._own = read, clock, own

    def sample(self) -> tuple[float, float, float, int] | None:
        busy = machine_busy_seconds(self._read())
        if busy is None:
            return None
        return self._clock(), busy[0], self._own(), busy[1]

    @staticmethod
    def between(start, end) -> Window | None:
        if start is None or end is None:
            return None
        return Window(end[0] - start[0], end[1] - start[1], end[2] - start[2], end[3])


@dataclass
class TimedAlone:
    """A measurement and how alone it was: ``contended`` holds the reason when it never was."""

    value: object
    other_share: float | None
    attempts: int
    waited_s: float
    lock_wait_s: float
    contended: str | None = None
    shares: list[float] = field(default_factory=list)
    unstable: str | None = None  # the last try's spread was too wide to gate (``unsteady``'s reason)

    @property
    def not_decidable(self) -> str | None:
        return self.contended or self.unstable

    def as_row(self) -> dict:
        return {"other_cpu_share": self.other_share, "timing_attempts": self.attempts,
                "waited_for_quiet_s": round(self.waited_s, 1), "waited_for_timing_lock_s": round(self.lock_wait_s, 1),
                "contended": self.contended, "unstable": self.unstable, "other_cpu_shares": self.shares}


def timing_lock_path() -> Path:
    return Path(os.environ.get(LOCK_ENV) or Path(tempfile.gettempdir()) / "srcnn-gate-timing.lock")


_held = [0, 0.0]  # how deep this process holds the host-wide lock, and how long it waited for it
_waited_in_process = [0.0]


@contextmanager
def host_timing_lock() -> Iterator[float]:
    """The host-wide lock of timed sections, re-entrant in one process (a perf test holds it around all of its
    timing, its measurements inside again); yields the seconds waited for it."""
    if _held[0]:
        _held[0] += 1
        try:
            yield _held[1]
        finally:
            _held[0] -= 1
        return
    started = time.perf_counter()
    with FileLock(str(timing_lock_path())):
        _held[:] = [1, time.perf_counter() - started]
        try:
            yield _held[1]
        finally:
            _held[0] = 0


def wait_for_quiet(meter: WindowMeter, limit_s: float, threshold: float = MAX_OTHER_SHARE,
                   sleep: Callable[[float], None] = time.sleep) -> float:
    """Sleep through probes of ``QUIET_PROBE_S`` until other processes use under ``threshold``; seconds waited."""
    waited = 0.0
    while waited < limit_s:
        start = meter.sample()
        sleep(QUIET_PROBE_S)
        window = meter.between(start, meter.sample())
        waited += QUIET_PROBE_S
        if window is None or window.other_share < threshold:
            break
    return waited


def measure_alone(measure: Callable[[], T], meter: WindowMeter | None = None, threshold: float = MAX_OTHER_SHARE,
                  max_wait_s: float = MAX_WAIT_S, attempts: int = 3, lock: bool = True,
                  sleep: Callable[[float], None] = time.sleep,
                  unsteady: Callable[[T], str | None] = lambda value: None) -> TimedAlone:
    """``measure()`` under the host-wide timing lock, repeated after a quiet spell while other processes used more
    than ``threshold`` of the machine during it, or while ``unsteady(value)`` finds its spread too wide (at most
    ``attempts`` tries, waiting at most ``max_wait_s``)."""
    meter = meter or WindowMeter()
    with host_timing_lock() if lock else nullcontext(0.0) as lock_wait:
        waited, shares = 0.0, []
        for attempt in range(1, attempts + 1):
            start = meter.sample()
            value = measure()
            window = meter.between(start, meter.sample())
            spread = unsteady(value)
            if window is None:
                if spread is None or attempt == attempts:
                    return TimedAlone(value, None, attempt, waited, lock_wait, None, shares, spread)
                continue
            shares.append(window.other_share)
            if window.other_share <= threshold and (spread is None or attempt == attempts):
                return TimedAlone(value, window.other_share, attempt, waited, lock_wait, None, shares, spread)
            allowed = min(max_wait_s - waited, MAX_TOTAL_WAIT_S - _waited_in_process[0])
            if attempt < attempts and allowed > 0:
                spell = wait_for_quiet(meter, allowed, threshold, sleep)
                waited += spell
                _waited_in_process[0] += spell
        reason = (f"contended: other processes used {shares[-1]:.0%} of the CPU while it was timed "
                  f"({len(shares)} attempt(s), {waited:.0f} s waited for quiet; at most {threshold:.0%} is alone)")
        return TimedAlone(value, shares[-1], len(shares), waited, lock_wait, reason, shares, spread)
