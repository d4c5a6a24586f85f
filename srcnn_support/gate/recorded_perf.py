"""Gating a recorded device run: the perf files a device job wrote, judged with no NPU or GPU here.

The NPU step often runs on another machine. ``pytest -m perf --target T --perf-log FILE`` and
``python -m srcnn_support gate-perf --target T --perf-log FILE`` both call ``gate_recorded_batch``,
so they read the same figures and reach the same verdicts (``perf_rules``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from srcnn_support.backends.registry import BY_NAME
from srcnn_support.gate.perf_rules import PerfDecision, decide, per_card, throughput_checks
from srcnn_support.gate.targets import Target
from srcnn_support.gate.verdicts import CheckRecord
from srcnn_support.perf.recorded_logs import RecordedFigure, read_perf_log

# A dataset run over real images is the guide's measure; the others are recorded beside it.
FIGURE_PRIORITY = ("perf_vision", "ais_bench", "pure_infer", "trtexec")


def read_logs(paths: Iterable[str | Path]) -> list[RecordedFigure]:
    """Every file parsed, or ``SrcnnGateError`` naming the first that is not a known tool's output."""
    return [read_perf_log(path) for path in paths]


def _tools(target: Target) -> tuple[str, ...]:
    return BY_NAME[target.backend].recorded_tools if target.backend in BY_NAME else ()


def _reference_tools(target: Target) -> dict[str, set[int]]:
    """Tools whose logs give another machine's bar (e.g. the T4's trtexec figure), by the batch sizes they serve."""
    tools: dict[str, set[int]] = {}
    for gate in target.gates:
        if gate.reference_tool:
            tools.setdefault(gate.reference_tool, set()).update(gate.batch_sizes)
    return tools


def is_reference(target: Target, log: RecordedFigure) -> bool:
    return log.kind not in _tools(target) and log.batch_size in _reference_tools(target).get(log.kind, ())


def own_logs(target: Target, logs: list[RecordedFigure]) -> list[RecordedFigure]:
    """The logs of the target's own tools: a run to gate (reference logs only set a bar)."""
    return [r for r in logs if r.kind in _tools(target)]


def reference_figure(target: Target, logs: list[RecordedFigure], batch_size: int) -> tuple[float, str] | None:
    """The bar a reference gate compares with at ``batch_size``: (images/s, the log it came from)."""
    found = [r for r in logs if is_reference(target, r) and r.batch_size == batch_size]
    if not found:
        return None
    return found[0].figure.compute_fps, f"{found[0].kind} {found[0].path.name}"


def fits_target(target: Target, logs: list[RecordedFigure]) -> CheckRecord:
    """Only the target's own tools (or a reference tool at the sizes its gate compares), at batch sizes the
    target measures, can be gated against it."""
    wrong_tool = [f"{r.path} ({r.kind})" for r in logs if r.kind not in _tools(target) and not is_reference(target, r)]
    wrong_batch = [f"{r.path} (batch {r.batch_size})" for r in logs if r.batch_size not in target.batch_sizes]
    problems = ([f"--target {target.name} ({target.backend}) cannot be gated on: {', '.join(wrong_tool)}"]
                if wrong_tool else [])
    if wrong_batch:
        sizes = ", ".join(map(str, target.batch_sizes))
        problems.append(f"--target {target.name} measures batch sizes {sizes}, not: {', '.join(wrong_batch)}")
    return CheckRecord(target.backend, None, "recorded_logs_fit_target", not problems, len(logs), None,
                   f"{target.name}'s tools and batch sizes", explanation="; ".join(problems))


@dataclass(frozen=True)
class RecordedBatch:
    batch_size: int
    rows: list[dict]  # one per device, as the results JSON holds perf rows
    decision: PerfDecision


def gate_recorded_batch(target: Target, logs: list[RecordedFigure], batch_size: int) -> RecordedBatch | None:
    """The target's gates on the logs of one batch size (None: no log at it); tools the target has not are ignored."""
    usable = [r for r in logs if r.batch_size == batch_size and r.kind in _tools(target)]
    if not usable:
        return None
    chosen: dict[int, RecordedFigure] = {}
    for record in sorted(usable, key=lambda r: FIGURE_PRIORITY.index(r.kind)):
        chosen.setdefault(record.device, record)
    chip_figures = [chosen[d].figure.compute_fps for d in sorted(chosen)]
    card_fps, how = per_card(chip_figures, target.chips_per_card)
    if target.chips_per_card > 1:
        how += (f"; {target.chips_per_card} chips per card from targets.json, "
                "the recording machine's product not being known here")
    decision = decide(throughput_checks(target, f"{target.name}/{target.backend}", batch_size, chip_figures[0],
                                        card_fps=card_fps, card_how=how, figure="recorded",
                                        reference=reference_figure(target, logs, batch_size)))
    rows = []
    for device, record in sorted(chosen.items()):
        beside = {r.kind: r.figure.compute_fps for r in usable if r.device == device and r is not record}
        rows.append({
            "target": target.name, "backend": target.backend, "precision": target.precision,
            "batch_size": batch_size, "device": device, "timer": f"recorded {record.kind}: {record.path.name}",
            "figure_source": f"recorded {record.kind} {record.path} (sha256 {record.sha256[:16]})",
            "gated": batch_size in target.gated_batch_sizes, "fps": record.figure.compute_fps,
            "fps_per_card_estimate": card_fps if target.chips_per_card > 1 else None, "how": how,
            "latency_mean_ms": record.figure.mean_latency_ms, "tool_end_to_end_fps": record.figure.end_to_end_fps,
            "recorded_beside": beside, "log_sha256": record.sha256, **decision.row_fields(),
            # the log names no host: the target's hardware stands for it in release-to-release comparisons
            "machine": {"recorded_on": f"{target.name} hardware (from a recorded log)"}})
    return RecordedBatch(batch_size, rows, decision)


def gate_recorded_run(target: Target, logs: list[RecordedFigure]) -> list[RecordedBatch]:
    batches = (gate_recorded_batch(target, logs, b) for b in sorted({r.batch_size for r in logs}))
    return [batch for batch in batches if batch is not None]
