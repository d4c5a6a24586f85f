"""The timed loop's outputs and the caching probe, with test doubles: a runner returning zeros fast, a runner that
answers repeated inputs from a cache, and honest ones (the real PyTorch runner; a fixed-cost double)."""
import time

import numpy as np
import pytest

from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.gate.timed_output_rules import outputs_while_timed_check, repeated_vs_distinct_check
from srcnn_support.perf.timed_outputs import SampledInfer, repeated_over_distinct
from tests.conftest import WEIGHTS


class ZerosFast:
    """A broken port as the perf gate would see it: right shape, no work, nothing computed."""

    def infer(self, batch):
        return np.zeros_like(batch)


class FixedCost:
    """Honest: the same work for every input."""

    def infer(self, batch):
        time.sleep(0.003)
        return batch * 0.5


class Memoizing(FixedCost):
    """Answers an input it has seen from a cache (what MLPerf's TEST04 looks for)."""

    def __init__(self):
        self.seen = {}

    def infer(self, batch):
        key = batch.tobytes()
        if key not in self.seen:
            self.seen[key] = super().infer(batch)
        return self.seen[key]


@pytest.fixture(scope="module")
def batch():
    return np.random.default_rng(0).random((2, 1, 32, 32), dtype=np.float32)


def test_the_sampler_keeps_early_and_late_calls_and_passes_outputs_through(batch):
    sampled = SampledInfer(FixedCost().infer, keep=3)
    for _ in range(20):
        assert np.array_equal(sampled(batch), batch * 0.5)
    assert [call for call, _ in sampled.samples] == [4, 8, 16] and sampled.calls == 20


def test_a_runner_returning_zeros_fails_the_timed_output_check_and_the_real_one_passes(batch):
    with PyTorchRunner(WEIGHTS) as reference:
        expected = reference.infer(batch)
        honest = SampledInfer(reference.infer)
        for _ in range(5):
            honest(batch)
    zeros = SampledInfer(ZerosFast().infer)
    for _ in range(5):
        zeros(batch)
    for rule in ("max_abs", "psnr"):
        assert outputs_while_timed_check("cpu/x", "cpu", 2, honest.samples, batch, expected, rule).passed is True
        failed = outputs_while_timed_check("cpu/zeros", "cpu", 2, zeros.samples, batch, expected, rule)
        assert failed.passed is False
        assert failed.explanation.startswith("cpu/zeros/bs2: the output of timed call 1 is not what the accuracy "
                                             "path computes for the same input")


def test_a_memoizing_runner_fails_the_caching_check_and_a_fixed_cost_one_passes(batch):
    cached = repeated_vs_distinct_check("cpu/memo", "cpu", 2, repeated_over_distinct(Memoizing().infer, batch, 0.5))
    assert cached.passed is False and cached.measured > 10
    assert "answers repeated inputs from a cache" in cached.explanation
    honest = repeated_vs_distinct_check("cpu/fixed", "cpu", 2, repeated_over_distinct(FixedCost().infer, batch, 0.5))
    assert honest.passed is True and 0.5 < honest.measured < 2


class SlowFixedCost:
    """A call much longer than the time asked for, as batch 16 is on 2 cores."""

    def infer(self, batch):
        time.sleep(0.02)
        return batch * 0.5


def test_a_slow_call_still_gets_the_interval_the_check_decides_on(batch):
    ratio = repeated_over_distinct(SlowFixedCost().infer, batch, min_time_s=0.01)
    assert len(ratio.pair_ratios) >= 6 and ratio.speedup_interval() is not None
    check = repeated_vs_distinct_check("cpu/slow", "cpu", 16, ratio)
    assert check.passed is True


def test_every_distinct_call_gets_an_input_never_seen_before(batch):
    seen = []
    repeated_over_distinct(lambda b: seen.append(b.tobytes()) or b, batch, 0.05)
    distinct = {b for b in seen if b != batch.tobytes()}
    assert len(distinct) == len(seen) - seen.count(batch.tobytes()) > 10
