"""``gate-perf``: a recorded device run's perf files judged without pytest, by the suite's own rules.

The same functions as ``pytest -m perf --target T --perf-log FILE`` (``gate.recorded_perf``), so
the two entry points cannot disagree; the exit code is 0 on RELEASE PASS and 1 on FAIL.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import TARGETS_FILE
from srcnn_support.gate.recorded_perf import fits_target, gate_recorded_run, read_logs
from srcnn_support.gate.targets import load_targets
from srcnn_support.gate.verdicts import CheckRecord
from srcnn_support.release.compare import throughput_vs_accepted
from srcnn_support.release.store import latest_or_reason
from srcnn_support.report.results import ResultsRecorder


def describe(check: CheckRecord) -> str:
    word = {True: "PASS", False: "FAIL", None: "RECORDED"}[check.passed]
    measured = f": measured {check.measured:.3f}" if check.measured is not None else ""
    how = f" ({check.reason})" if check.reason else ""
    return f"{word} {check.backend}/bs{check.batch_size}: {check.tolerance or check.check}{measured}{how}"


def gate_perf(target_name: str, paths: list[str | Path], log, baseline: str | Path | None = None,
              require_baseline: bool = False) -> tuple[int, dict]:
    targets = load_targets(TARGETS_FILE)
    if target_name not in targets:
        raise SrcnnGateError(target_name, f"unknown target; known: {', '.join(targets)}")
    target = targets[target_name]
    logs = read_logs(paths)
    for record in logs:
        log(f"{record.path}: {record.kind}, batch {record.batch_size}, device {record.device}, "
            f"{record.figure.compute_fps:.3f} images/s per chip")
    fit = fits_target(target, logs)
    if not fit:
        log(f"FAIL {target.name}: {fit.explanation}")
    batches = gate_recorded_run(target, logs)
    for batch in batches:
        for check in batch.decision.checks:
            log(describe(check))
        if not batch.decision.checks:
            log(f"RECORDED {target.name}/{target.backend}/bs{batch.batch_size}: no gate at this batch size")
    recorder = ResultsRecorder()
    recorder.record(fit)
    accepted, why_none = latest_or_reason(Path(baseline) if baseline else None)
    if accepted is None and (baseline or require_baseline):
        log(f"{'FAIL' if require_baseline else 'NOT COMPARED'} with an accepted release: {why_none}")
        if require_baseline:
            recorder.record(CheckRecord("suite", None, "accepted release to compare with (--require-baseline)",
                                        False, reason=why_none, explanation=why_none))
        else:
            recorder.meta.not_decided.append(why_none)
    for row in (row for batch in batches for row in batch.rows):
        recorder.add_perf(row)
        if accepted is not None:
            check = throughput_vs_accepted(row, accepted)
            if not row.get("gated") and check.passed is not None:
                check = replace(check, passed=None, reason=f"recorded batch size; {check.reason or check.tolerance}")
            recorder.record(check)
            log(describe(check))
    document = {"target": target.name, **recorder.document(),
                "logs": [{"path": str(r.path), "kind": r.kind, "batch_size": r.batch_size, "device": r.device,
                          "sha256": r.sha256} for r in logs]}
    log(document["release"]["headline"])
    return (0 if document["release"]["status"] == "PASS" else 1), document
