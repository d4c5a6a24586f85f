"""The contention check on synthetic /proc/stat readings: the share other processes took, a try repeated after
a quiet spell, and a window that never went quiet marked contended with its share."""
import pytest

from srcnn_support.perf.contention import WindowMeter, machine_busy_seconds, measure_alone

HZ_TICKS = 100  # USER_HZ on Linux


def stat_text(busy_s: float, idle_s: float = 1000.0, cpus: int = 2) -> str:
    """A /proc/stat with ``busy_s`` seconds of user time and ``idle_s`` of idle time over all CPUs."""
    user, idle = int(busy_s * HZ_TICKS), int(idle_s * HZ_TICKS)
    lines = [f"cpu  {user} 0 0 {idle} 0 0 0 0 0 0"]
    lines += [f"cpu{i} {user // cpus} 0 0 {idle // cpus} 0 0 0 0 0 0" for i in range(cpus)]
    return "\n".join(lines + ["intr 0", "ctxt 0"]) + "\n"


class FakeMachine:
    """Replays readings: each sample advances the clock by ``wall`` and the machine by this window's busy time."""

    def __init__(self, windows):  # [(wall s, machine busy s, own s)] per window, repeated at the end
        self.windows, self.now, self.busy, self.own, self.samples = list(windows), 0.0, 0.0, 0.0, 0

    def meter(self) -> WindowMeter:
        return WindowMeter(read=lambda: stat_text(self.busy), clock=lambda: self.now, own=lambda: self.own)

    def advance(self):
        wall, busy, own = self.windows[0] if len(self.windows) == 1 else self.windows.pop(0)
        self.now, self.busy, self.own = self.now + wall, self.busy + busy, self.own + own


def test_busy_seconds_and_cpus_come_from_the_first_line_and_the_per_cpu_lines():
    busy, cpus = machine_busy_seconds(stat_text(12.5, cpus=4))
    assert busy == pytest.approx(12.5) and cpus == 4


def test_the_share_is_other_processes_cpu_over_the_machines_cpu_in_the_window():
    machine = FakeMachine([(2.0, 4.0, 1.0)])  # 2 s, both CPUs busy, this process used 1 s of it
    meter = machine.meter()
    start = meter.sample()
    machine.advance()
    assert meter.between(start, meter.sample()).other_share == pytest.approx(0.75)


def _measured(machine):
    def measure():
        machine.advance()
        return "figure"
    return measure


def test_a_contended_try_is_measured_again_after_a_quiet_spell():
    machine = FakeMachine([(2.0, 4.0, 1.0), (1.0, 0.02, 0.0), (2.0, 2.05, 2.0)])  # busy try, quiet probe, clean try
    naps = []
    timed = measure_alone(_measured(machine), machine.meter(), lock=False,
                          sleep=lambda s: (naps.append(s), machine.advance()))
    assert timed.contended is None and timed.attempts == 2 and naps == [1.0]
    assert timed.shares == [pytest.approx(0.75), pytest.approx(0.0125)]


def test_a_window_that_never_goes_quiet_is_marked_contended_with_its_share():
    machine = FakeMachine([(2.0, 3.0, 1.0)])  # another process always takes half the machine
    timed = measure_alone(_measured(machine), machine.meter(), lock=False, max_wait_s=3.0,
                          sleep=lambda s: machine.advance())
    assert timed.value == "figure" and timed.attempts == 3 and timed.other_share == pytest.approx(0.5)
    assert timed.contended == ("contended: other processes used 50% of the CPU while it was timed (3 attempt(s), "
                               "3 s waited for quiet; at most 10% is alone)")
    assert timed.as_row()["contended"] == timed.contended


def test_an_unstable_series_is_measured_again_then_not_decided_and_a_steady_one_is_kept():
    from srcnn_support.perf.method import LatencyStats, spread_fields, unstable

    jumpy = LatencyStats.from_seconds([0.010, 0.030] * 25)  # a shared VM's slow spells every other call
    steady = LatencyStats.from_seconds([0.0290, 0.0292, 0.0291, 0.0295, 0.0289] * 10)
    machine = FakeMachine([(2.0, 2.0, 2.0)])  # alone: only this process ran
    series = iter([jumpy, jumpy, jumpy])

    def measure():
        machine.advance()
        return next(series)

    timed = measure_alone(measure, machine.meter(), lock=False, unsteady=unstable, sleep=lambda s: machine.advance())
    assert timed.attempts == 3 and timed.contended is None and timed.not_decidable == timed.unstable
    assert timed.unstable == "unstable: latency CV 50.5% over 50 samples (at most 10% is steady enough to gate)"
    series = iter([jumpy, steady])
    kept = measure_alone(measure, machine.meter(), lock=False, unsteady=unstable, sleep=lambda s: machine.advance())
    assert kept.attempts == 2 and kept.value is steady and kept.not_decidable is None
    fields = spread_fields(steady)
    assert fields["latency_samples"] == 50 and fields["latency_p90_ms"] is None and fields["latency_p99_ms"] is None
    assert fields["latency_percentiles"] == "p90 n/a (50 samples; 64 needed); p99 n/a (50 samples; 662 needed)"
    assert spread_fields(LatencyStats.from_seconds([0.01] * 64))["latency_p90_ms"] == 10.0
