"""ais_bench sessions are always released and their compute times read as ais_bench's summary holds them.

The session classes below are test doubles with the attribute names of ais_bench's ``InferSession``
(``infer``, ``summary().exec_time_list``, ``free_resource``) and of the older ais_infer (``sumary``,
``finalize``); they stand in for a device that is not here and are never used by the gates.
"""
from types import SimpleNamespace

import numpy as np
import pytest

from srcnn_support.backends.ascend import AscendOmRunner, release_session
from srcnn_support.backends.ascend_throughput import ais_bench_session_throughput, compute_times_ms
from srcnn_support.errors import SrcnnGateError


class RecordingSession:
    """ais_bench-shaped: (start, end) pairs in ms, ``free_resource``."""

    def __init__(self, compute_ms: float) -> None:
        self.compute_ms, self.calls, self.freed = compute_ms, [], False

    def infer(self, inputs, mode="static"):
        self.calls.append(inputs[0].shape)
        return [inputs[0]]

    def reset_summaryinfo(self):
        self.calls = []

    def summary(self):
        return SimpleNamespace(exec_time_list=[(10.0 * i, 10.0 * i + self.compute_ms) for i in range(len(self.calls))])

    def free_resource(self):
        self.freed = True


class OldAisInferSession:
    def __init__(self) -> None:
        self.finalized = False

    def sumary(self):
        return SimpleNamespace(exec_time_list=[2.0, 4.0])

    def finalize(self):
        self.finalized = True


def test_session_figure_is_the_mean_compute_time_over_the_whole_set():
    session = RecordingSession(compute_ms=2.8732494727587214)
    planes = [np.zeros((256, 256), np.float32)] * 5
    measured = ais_bench_session_throughput(session, 4, planes)
    assert session.calls == [(4, 1, 256, 256), (4, 1, 256, 256)]  # 5 images, the last batch filled
    assert measured.gated.compute_fps == pytest.approx(4 * 1000 / 2.8732494727587214)
    assert measured.suite_end_to_end_fps > 0 and "ais_bench" in measured.source


def test_old_ais_infer_summary_and_release():
    old = OldAisInferSession()
    assert compute_times_ms(old) == [2.0, 4.0]
    release_session(old)
    assert old.finalized


def test_runner_frees_the_session_even_when_inference_fails(tmp_path):
    runner = AscendOmRunner(tmp_path / "m.om", batch_size=1)
    session = RecordingSession(1.0)
    runner._session, runner.is_active = session, True
    with pytest.raises(SrcnnGateError, match="converted for batch 1"):
        with runner:
            runner.infer(np.zeros((2, 1, 8, 8), np.float32))
    assert session.freed and runner._session is None


def test_a_session_that_cannot_be_released_is_named():
    with pytest.raises(SrcnnGateError, match="neither free_resource"):
        release_session(object())
