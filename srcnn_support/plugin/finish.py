"""What the controller does once the tests are over: per-card verdicts, the results JSON, the report, its headline."""
from __future__ import annotations

import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.perf_rules import per_card_rows
from srcnn_support.model.network import identify_weights
from srcnn_support.plugin.session import GateSession
from srcnn_support.report.results import ResultsRecorder


def finish_controller(session: GateSession, pytest_session: pytest.Session) -> None:
    recorder = session.recorder
    try:
        gate = session.gate
    except pytest.UsageError:
        return
    if recorder.perf:
        card_rows = per_card_rows(recorder.perf, session.targets)
        recorder.meta["per_card"] = card_rows
        decided_here = [r for r in card_rows if r["decided_by"] == "controller"]
        if any(r["verdict"] == "fail" for r in decided_here) and pytest_session.exitstatus == 0:
            pytest_session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if gate.results_json and (recorder.measurements or recorder.perf):
        recorder.write(gate.results_json)
    session.report_paths = write_report(session)


def write_report(session: GateSession):
    from srcnn_support.report import render as report

    gate, recorder = session.gate, session.recorder
    if not (recorder.measurements or recorder.perf or recorder.meta.get("full_size")):
        return None
    try:
        weights = identify_weights(gate.weights)
        weights_info = {"path": weights.path, "md5": weights.md5, "sha256": weights.sha256}
    except SrcnnGateError as exc:
        weights_info = {"path": str(gate.weights), "md5": f"unreadable: {exc.problem}", "sha256": ""}
    document = recorder.document()
    command = ["pytest", *session.config.invocation_params.args]
    document["environment"] = report.environment(command, list(gate.dataset.files), weights_info)
    document["environment"]["given_artifacts"] = recorder.meta.get("given_artifacts", [])
    document["published"] = _published_values(weights_info["md5"])
    if recorder.measurements:
        report.save_part(gate.report_dir, "accuracy", document)
    if recorder.perf:
        report.save_part(gate.report_dir, "perf", document)
    if recorder.meta.get("full_size"):
        report.save_part(gate.report_dir, f"fullsize-{gate.dataset.label}",
                         {"dataset": gate.dataset.label, "backends": recorder.meta["full_size"],
                          "environment": document["environment"]})
    return report.write_report(gate.report_dir)


def _published_values(md5: str) -> dict:
    from srcnn_support.gate.config import PUBLISHED_TABLE
    from srcnn_support.score.accuracy import PublishedTable

    table = PublishedTable.load(PUBLISHED_TABLE)
    return table.reference_script if md5 == table.weights_md5 else {}


def release_headline(terminalreporter, recorder: ResultsRecorder) -> str | None:
    """The report's first line for this run; a failed test the records do not show still fails the release."""
    from srcnn_support.gate.release_verdict import release_verdict

    if not (recorder.verdicts or recorder.perf):
        return None
    verdict = release_verdict([recorder.document()])
    failed_tests = [report.nodeid.rsplit("::", 1)[-1] for key in ("failed", "error")
                    for report in terminalreporter.stats.get(key, [])]
    if verdict and failed_tests:
        return f"RELEASE FAIL: {len(failed_tests)} test(s) failed: " + "; ".join(failed_tests)
    return verdict.headline()


def summary_lines(session: GateSession) -> list[tuple[str, bool]]:
    """The terminal summary after the headline: (line, shown in red)."""
    gate, recorder = session.gate, session.recorder
    lines = []
    built, reused = session.cache_counts()
    if built or reused:
        lines.append((f"srcnn-gate artifacts: {built} built, {reused} reused "
                      f"(log: {gate.artifacts_dir / 'cache' / 'cache-events.log'})", False))
    for row in recorder.meta.get("per_card", []):
        lines.append((f"srcnn-gate per-card {row['target']} bs{row['batch_size']}: {row['fps_per_card']:.3f} fps "
                      f"({row['how']}), threshold {row['threshold']}, {row['verdict'].upper()}",
                      row["verdict"] == "fail"))
    for verdict in recorder.verdicts:
        if verdict["check"] == "runtime" and verdict["verdict"] == "fail":
            lines.append((f"srcnn-gate BROKEN {verdict['reason']}", True))
    if gate.results_json and (recorder.measurements or recorder.perf):
        lines.append((f"srcnn-gate results: {gate.results_json}", False))
    if session.report_paths:
        md, page = session.report_paths
        lines.append((f"srcnn-gate report: {md} and {page}", False))
    return lines
