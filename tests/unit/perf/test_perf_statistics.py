"""Statistics behind the perf gates, checked against known values (no timing here)."""
import pytest

from srcnn_support.perf.method import (
    GFLOP_PER_IMAGE,
    InterleavedRatio,
    LatencyStats,
    interleaved_ratio,
    median_confidence_interval,
    remeasured_speedup,
    throughput_figures,
)


def test_median_interval_uses_the_sign_test_ranks():
    values = [float(v) for v in range(1, 17)]  # n = 16: the textbook 95% ranks are 4 and 13
    assert median_confidence_interval(list(reversed(values))) == (4.0, 13.0)
    assert median_confidence_interval([float(v) for v in range(1, 7)]) == (1.0, 6.0)  # n = 6: 1/64 <= 2.5%
    assert median_confidence_interval([float(v) for v in range(1, 101)]) == (40.0, 61.0)  # n = 100: ranks 40, 61


def test_median_interval_needs_enough_values():
    with pytest.raises(ValueError, match="5 values cannot give a 95% interval"):
        median_confidence_interval([1.0, 2.0, 3.0, 4.0, 5.0])


def test_interleaved_ratio_alternates_the_order_of_each_pair():
    calls: list[str] = []
    measured = interleaved_ratio(lambda: calls.append("a"), lambda: calls.append("b"), min_rounds=4, min_time_s=0.0,
                                 block_rounds=1, block_warmup=0, min_blocks=8)
    assert calls[:4] == ["a", "a", "b", "b"]  # the probe that sizes blocks: a warm-up and a timed call each
    assert calls[4:12] == ["a", "b", "b", "a", "a", "b", "b", "a"]  # AB BA AB BA: drift hits both sides alike
    assert len(measured.pair_ratios) == 4 and len(measured.first_s) == len(measured.second_s) == 4


def test_throughput_figures_use_one_formula():
    stats = LatencyStats.from_seconds([0.04, 0.05, 0.06])
    figures = throughput_figures(16, stats)
    assert figures["fps"] == pytest.approx(16 * 1000 / 50.0)
    assert figures["gflops"] == pytest.approx(figures["fps"] * GFLOP_PER_IMAGE)
    assert figures["latency_median_ms"] == pytest.approx(50.0)



def _ratio(speedup: float, pairs: int = 16) -> InterleavedRatio:
    return InterleavedRatio(1.0 / speedup, [1.0 / speedup] * pairs, [], [])


def test_a_speedup_below_its_threshold_is_measured_once_more():
    readings = iter([_ratio(1.41), _ratio(1.88)])
    attempts = remeasured_speedup(lambda: next(readings), 1.5)
    assert [round(a.speedup, 2) for a in attempts] == [1.41, 1.88]
    assert len(remeasured_speedup(lambda: _ratio(1.9), 1.5)) == 1  # above the bar: one measurement
    assert len(remeasured_speedup(lambda: _ratio(1.0), None)) == 1  # recorded only: never remeasured
    slow = iter([_ratio(1.02), _ratio(0.98)])
    assert max(a.speedup for a in remeasured_speedup(lambda: next(slow), 1.5)) < 1.5  # no speed-up still fails


def test_speedup_interval_inverts_the_latency_interval_and_needs_enough_pairs():
    measured = InterleavedRatio(0.5, [0.4 + 0.01 * i for i in range(16)], [], [])
    low, high = measured.speedup_interval()
    assert (low, high) == (pytest.approx(1 / 0.52), pytest.approx(1 / 0.43)) and measured.speedup == 2.0
    assert InterleavedRatio(0.5, [0.5] * 5, [], []).speedup_interval() is None
