"""What the controller does once the tests are over: per-card verdicts, the one results document with its
RELEASE line, the results JSON and the report (both written from that document), and the exit status."""
from __future__ import annotations

import time
import uuid

import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.perf_rules import per_card_rows
from srcnn_support.gate.verdicts import CheckRecord
from srcnn_support.model.network import identify_weights
from srcnn_support.perf.machine_info import commit_info, machine_info
from srcnn_support.plugin.benchmark_json import write_when_pytest_benchmark_did_not
from srcnn_support.plugin.session import GateSession
from srcnn_support.release.fingerprint import machine_fingerprint, suite_identity

SHOWN_SKIP_REASONS = 3


def finish_controller(session: GateSession, pytest_session: pytest.Session) -> None:
    recorder = session.recorder
    if session.config.option.collectonly:
        return  # nothing was run, so nothing was decided
    try:
        gate = session.gate
    except pytest.UsageError:
        return
    if recorder.perf:
        recorder.meta.per_card = per_card_rows(recorder.perf, session.targets)
        for row in recorder.meta.per_card:
            if row["decided_by"] == "controller" and row["verdict"] in ("pass", "fail"):
                recorder.record(CheckRecord(
                    f"{row['target']}/card", None, "min_fps_per_card", row["verdict"] == "pass", row["fps_per_card"],
                    row["threshold"], f"per card > {row['threshold']:.3f} fps", reason=row["how"],
                    explanation=f"per-card {row['fps_per_card']:.3f} images/s ({row['how']}) does not beat "
                                f"{row['threshold']:.3f}", batch_size=row["batch_size"], target=row["target"]))
    if not (recorder.checks or recorder.measurements or recorder.perf or recorder.gate_tests):
        return  # no gate test ran (e.g. the suite's own unit tests): the last gate run's report stays
    recorded = {c.reason for c in recorder.checks.values() if c.passed is None}  # said once, by its record
    skipped = sorted(((reason, count) for reason, count in session.skip_reasons.items() if reason not in recorded),
                     key=lambda item: -item[1])
    recorder.meta.not_decided.extend(f"{reason} ({count} test{'s' if count > 1 else ''} skipped)"
                                     for reason, count in skipped[:SHOWN_SKIP_REASONS])
    if gate.require_target and not any(c.passed is not None for c in recorder.checks.values()):
        recorder.record(CheckRecord("suite", None, "a check was decided (--require-target)", False,
                                    reason="; ".join(recorder.meta.not_decided[:SHOWN_SKIP_REASONS]) or "no check"))
    recorder.meta.machine, recorder.meta.suite = machine_fingerprint(), suite_identity()
    recorder.meta.baseline = _baseline_meta(gate)
    recorder.meta.run = {"id": uuid.uuid4().hex[:12], "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                         "command": " ".join(["pytest", *session.config.invocation_params.args])}
    document = recorder.document()
    document["environment"] = _environment(session)
    document["published"] = _published_values(document["environment"]["weights"]["md5"])
    document["machine_info"] = machine_info()
    document["commit_info"] = commit_info(document["environment"]["weights"])
    session.document = document
    session.benchmark_json = write_when_pytest_benchmark_did_not(session.config, recorder.perf)
    if document["release"]["status"] == "FAIL" and pytest_session.exitstatus in (0, 5):
        pytest_session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if gate.results_json:
        recorder.write(gate.results_json, document)
    session.report_paths = _write_report(session, document)


def _baseline_meta(gate) -> dict:
    from srcnn_support.plugin.baseline import baseline_or_reason

    release, reason = baseline_or_reason(gate)
    if release is None:
        return {"store": str(gate.baseline) if gate.baseline else None, "why_none": reason}
    from srcnn_support.release.store import ReleaseStore

    return {"store": str(gate.baseline), "sequence": release.sequence, "path": str(release.path),
            "label": release.label, "history": ReleaseStore(gate.baseline).history()}


def _environment(session: GateSession) -> dict:
    from srcnn_support.report.environment import environment

    gate, recorder = session.gate, session.recorder
    try:
        weights = identify_weights(gate.weights)
        weights_info = {"path": weights.path, "md5": weights.md5, "sha256": weights.sha256}
    except SrcnnGateError as exc:
        weights_info = {"path": str(gate.weights), "md5": f"unreadable: {exc.problem}", "sha256": ""}
    command = ["pytest", *session.config.invocation_params.args]
    found = environment(command, list(gate.dataset.files), weights_info)
    found["given_artifacts"] = recorder.meta.given_artifacts
    return found


def _write_report(session: GateSession, document: dict):
    from srcnn_support.report import render as report

    gate = session.gate
    try:
        report.save_run(gate.report_dir, document)
        return report.write_report(gate.report_dir)
    except OSError as exc:
        session.report_error = f"{gate.report_dir}: report not written: {exc.strerror or exc}"
        return None


def _published_values(md5: str) -> dict:
    from srcnn_support.gate.config import PUBLISHED_TABLE
    from srcnn_support.score.accuracy import PublishedTable

    table = PublishedTable.load(PUBLISHED_TABLE)
    return table.reference_script if md5 == table.weights_md5 else {}


def summary_lines(session: GateSession) -> list[tuple[str, bool]]:
    """The terminal summary after the headline: (line, shown in red)."""
    gate, recorder = session.gate, session.recorder
    lines = []
    lines += [(f"srcnn-gate set aside {what} (not run, not counted)", False) for what in session.set_aside]
    built, reused = session.cache_counts()
    if built or reused:
        lines.append((f"srcnn-gate artifacts: {built} built, {reused} reused "
                      f"(log: {gate.artifacts_dir / 'cache' / 'cache-events.log'})", False))
    for row in recorder.meta.per_card:
        lines.append((f"srcnn-gate per-card {row['target']} bs{row['batch_size']}: {row['fps_per_card']:.3f} fps "
                      f"({row['how']}), threshold {row['threshold']}, {row['verdict'].upper()}",
                      row["verdict"] == "fail"))
    for check in recorder.checks.values():
        if check.check == "runtime" and check.passed is False:
            lines.append((f"srcnn-gate BROKEN {check.reason}", True))
    baseline = recorder.meta.baseline
    if baseline.get("label") or gate.baseline:
        lines.append((f"srcnn-gate compared with {baseline.get('label') or 'no accepted release'}"
                      + (f": {baseline['why_none']}" if baseline.get("why_none") else ""), False))
    if session.benchmark_json:
        lines.append((f"srcnn-gate benchmark JSON: {session.benchmark_json} (written by the suite: pytest-benchmark "
                      "wrote none)", False))
    if gate.results_json and session.document:
        lines.append((f"srcnn-gate results: {gate.results_json}", False))
    if session.report_paths:
        md, page = session.report_paths
        lines.append((f"srcnn-gate report: {md} and {page}", False))
    if session.report_error:
        lines.append((f"srcnn-gate {session.report_error}", True))
    return lines
