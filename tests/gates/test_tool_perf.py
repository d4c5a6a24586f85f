"""Throughput gates on the device tool's own figure (issue 13): a live run on the target, or recorded runs.

Live (targets whose ``figure`` is ``tool``, e.g. ascend310): one ``benchmark`` dataset-mode run per
batch size over the whole prepared set plus one pure-inference run, or one ais_bench session; the
gate reads the tool's per-chip figure and forms the per-card one from the detected product. The
suite's own end-to-end rate (process start and file I/O included) is recorded beside it, not gated.
Recorded (``--perf-log FILE``, repeatable): the files a device job wrote are gated here, no NPU needed.
"""
from __future__ import annotations

import pytest

from srcnn_support.cache import sha256_file
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.targets import card_chips
from srcnn_support.perf.method import per_card
from srcnn_support.perf.perflogs import read_perf_log
from srcnn_support.plugin.outcomes import end_if_recorded_only

pytestmark = pytest.mark.perf

# A dataset run over real images is the guide's measure; the others are recorded beside it.
FIGURE_PRIORITY = ("perf_vision", "ais_bench", "pure_infer", "trtexec")
TOOLS_OF_BACKEND = {"ascend-om": {"perf_vision", "ais_bench", "pure_infer"}, "tensorrt": {"trtexec"}}


def gate_failures(target, batch_size: int, chip_fps: float, card_fps: float, how: str) -> tuple[list[str], str | None]:
    failures, described = [], None
    for gate in target.gates_for(batch_size):
        if gate.kind == "min_fps_per_card":
            described = f"per card > {gate.threshold():.3f} fps"
            if not card_fps > gate.threshold():
                failures.append(f"per-card {card_fps:.3f} fps ({how}) does not beat {gate.threshold():.3f} fps "
                                f"({gate.provenance})")
        elif gate.kind == "min_fps":
            described = f">= {gate.threshold():.3f} fps"
            if not chip_fps >= gate.threshold():
                failures.append(f"{chip_fps:.3f} fps < {gate.threshold():.3f} fps ({gate.provenance})")
        else:
            failures.append(f"gate kind {gate.kind!r} cannot be applied to a tool's figure")
    return failures, described


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
    failures, described = gate_failures(target, batch_size, chip_fps, chip_fps * chips, how)
    if chips > 1 and len(gate.devices) >= chips:  # every chip of the card is measured: the sum decides
        how = f"card gated on the sum over --devices {','.join(map(str, gate.devices))} ({chips_how})"
        failures, described = [], f"{described} on the sum of {chips} chips (end of run)" if described else None
    om = built.runner.om_path
    row = {
        "target": target.name, "backend": info.backend, "precision": info.precision, "batch_size": batch_size,
        "device": perf_device, "timer": measured.source, "figure_source": measured.source,
        "gated": batch_size in target.gated_batch_sizes, "versions": info.versions, "details": info.details,
        "fps": chip_fps, "chips_per_card": chips, "fps_per_card_estimate": chip_fps * chips, "how": how,
        "latency_mean_ms": measured.gated.mean_latency_ms, "tool_end_to_end_fps": measured.gated.end_to_end_fps,
        "end_to_end_fps": measured.suite_end_to_end_fps, "images": len(prepared),
        "pure_infer_fps": measured.pure_infer.compute_fps if measured.pure_infer else None,
        "om": om.name, "om_sha256": sha256_file(om), "gate": described,
        "verdict": "fail" if failures else ("pass" if described else "recorded")}
    recorder.add_perf(row)
    assert not failures, f"{target.name}/{info.backend}/bs{batch_size}/dev{perf_device}: " + "; ".join(failures)
    assert chip_fps > 0
    end_if_recorded_only(row)


def _recorded_target(gate, pytestconfig):
    from srcnn_support.gate.config import TARGETS_FILE
    from srcnn_support.gate.targets import load_targets

    targets = load_targets(TARGETS_FILE)
    if gate.target not in targets:
        pytest.fail(f"unknown --target {gate.target!r}; known: {', '.join(targets)}", pytrace=False)
    return targets[gate.target]


def _read_all(paths) -> list:
    try:
        return [read_perf_log(path) for path in paths]
    except SrcnnGateError as exc:
        pytest.fail(str(exc), pytrace=False)


def test_recorded_throughput(gate, pytestconfig, recorder):
    if not gate.perf_logs:
        pytest.skip("no --perf-log given (a recorded device run is gated with --perf-log FILE)")
    target = _recorded_target(gate, pytestconfig)
    logs = _read_all(gate.perf_logs)
    wrong = [f"{r.path} ({r.kind})" for r in logs if r.kind not in TOOLS_OF_BACKEND.get(target.backend, set())]
    assert not wrong, f"--target {target.name} ({target.backend}) cannot be gated on: {', '.join(wrong)}"
    failures = []
    for batch_size in sorted({r.batch_size for r in logs}):
        chosen = {}
        for record in sorted(
            (r for r in logs if r.batch_size == batch_size), key=lambda r: FIGURE_PRIORITY.index(r.kind)
        ):
            chosen.setdefault(record.device, record)
        chip_figures = [chosen[d].figure.compute_fps for d in sorted(chosen)]
        card_fps, how = per_card(chip_figures, target.chips_per_card)
        if target.chips_per_card > 1:
            how += (f" ({target.chips_per_card} chips per card: targets.json, "
                    "the recording machine's product is not known here)")
        found, described = gate_failures(target, batch_size, chip_figures[0], card_fps, how)
        failures += [f"bs{batch_size}: {f}" for f in found]
        for device, record in sorted(chosen.items()):
            beside = {r.kind: r.figure.compute_fps for r in logs
                      if r.batch_size == batch_size and r.device == device and r is not record}
            recorder.add_perf({
                "target": target.name, "backend": target.backend, "precision": target.precision,
                "batch_size": batch_size, "device": device, "timer": f"recorded {record.kind}: {record.path.name}",
                "figure_source": f"recorded {record.kind} {record.path} (sha256 {record.sha256[:16]})",
                "gated": batch_size in target.gated_batch_sizes, "fps": record.figure.compute_fps,
                "fps_per_card_estimate": card_fps if target.chips_per_card > 1 else None, "how": how,
                "latency_mean_ms": record.figure.mean_latency_ms, "tool_end_to_end_fps": record.figure.end_to_end_fps,
                "recorded_beside": beside, "log_sha256": record.sha256, "gate": described,
                "verdict": "fail" if found else ("pass" if described else "recorded")})
    assert not failures, f"{target.name} recorded: " + "; ".join(failures)
