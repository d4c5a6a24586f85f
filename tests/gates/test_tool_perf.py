"""Throughput gates on the device tool's own figure (issue 13): a live run on the target, or recorded runs.

Live (targets whose ``figure`` is ``tool``, e.g. ascend310): one ``benchmark`` dataset-mode run per
batch size over the whole prepared set plus one pure-inference run, or one ais_bench session; the
gate reads the tool's per-chip figure and forms the per-card one from the detected product. The
suite's own end-to-end rate (process start and file I/O included) is recorded beside it, not gated.
Recorded (``--perf-log FILE``, repeatable): the files a device job wrote are gated here, no NPU needed,
one test per batch size, with the rules of ``srcnn_support.gate.recorded_perf``.
"""
from __future__ import annotations

import pytest

from srcnn_support.cache import sha256_file
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.perf_rules import decide, throughput_checks
from srcnn_support.gate.recorded_perf import fits_target, gate_recorded_batch, read_logs, reference_figure
from srcnn_support.gate.targets import card_chips
from srcnn_support.plugin.outcomes import end_if_recorded_only

pytestmark = pytest.mark.perf


def test_tool_throughput(perf_target, perf_runner, prepared, perf_batch_size, perf_device, recorder, gate):
    target, batch_size = perf_target, perf_batch_size
    if target.figure != "tool":
        pytest.skip(f"{target.name} is timed by the suite (tests/gates/test_perf.py)")
    built = perf_runner(batch_size, perf_device)
    with built.runner as runner:
        measured = runner.tool_throughput([image.network_input for image in prepared])
        info = runner.info()
    chips, chips_how = card_chips(target)
    chip_fps = measured.gated.compute_fps
    how = f"x {chips}: one chip measured, {chips_how}"
    every_chip_measured = chips > 1 and len(gate.devices) >= chips
    if every_chip_measured:  # the controller decides the card on the sum over the devices (end of run)
        how = f"card gated on the sum over --devices {','.join(map(str, gate.devices))} ({chips_how})"
    reference = reference_figure(target, read_logs(gate.perf_logs), batch_size) if gate.perf_logs else None
    decision = decide(throughput_checks(
        target, f"{target.name}/{info.backend}/dev{perf_device}", batch_size, chip_fps, card_fps=chip_fps * chips,
        card_how=how, card_deferred_to=tuple(gate.devices) if every_chip_measured else (), figure=measured.source,
        reference=reference))
    om = built.runner.om_path
    row = {
        "target": target.name, "backend": info.backend, "precision": info.precision, "batch_size": batch_size,
        "device": perf_device, "timer": measured.source, "figure_source": measured.source,
        "gated": batch_size in target.gated_batch_sizes, "versions": info.versions, "details": info.details,
        "fps": chip_fps, "chips_per_card": chips, "fps_per_card_estimate": chip_fps * chips, "how": how,
        "card_deferred": every_chip_measured,
        "latency_mean_ms": measured.gated.mean_latency_ms, "tool_end_to_end_fps": measured.gated.end_to_end_fps,
        "end_to_end_fps": measured.suite_end_to_end_fps, "images": len(prepared),
        "pure_infer_fps": measured.pure_infer.compute_fps if measured.pure_infer else None,
        "om": om.name, "om_sha256": sha256_file(om), **decision.row_fields()}
    recorder.add_perf(row)
    assert decision, decision.message()
    assert chip_fps > 0
    end_if_recorded_only(row)


@pytest.fixture(scope="module")
def recorded_logs(gate):
    """The --perf-log files, parsed once; a file no tool wrote fails every recorded test with its one-line reason."""
    if not gate.perf_logs:
        pytest.skip("no --perf-log given (a recorded device run is gated with --perf-log FILE)")
    try:
        return read_logs(gate.perf_logs)
    except SrcnnGateError as exc:
        pytest.fail(str(exc), pytrace=False)


def test_recorded_logs_fit_the_target(recorded_logs, configured_target, recorder):
    verdict = recorder.record(fits_target(configured_target, recorded_logs))
    assert verdict, verdict.explanation


def test_recorded_throughput(recorded_logs, configured_target, recorded_batch_size, recorder):
    target = configured_target
    recorded = gate_recorded_batch(target, recorded_logs, recorded_batch_size)
    if recorded is None:
        pytest.skip(f"{target.name}/bs{recorded_batch_size}: no --perf-log recorded at this batch size")
    for row in recorded.rows:
        recorder.add_perf(row)
    assert recorded.decision, recorded.decision.message()
    end_if_recorded_only(recorded.rows[0])
