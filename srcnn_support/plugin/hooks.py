"""The plugin's hooks: session start, report header, the xdist hand-over, session finish and terminal summary."""
from __future__ import annotations

import signal
import threading

import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.model.network import identify_weights
from srcnn_support.plugin.cmdline import place_pytest_writes
from srcnn_support.plugin.finish import finish_controller, summary_lines
from srcnn_support.plugin.options import register_markers
from srcnn_support.plugin.outcomes import (
    failure_message,
    set_missing_calibration_aside,
    set_missing_target_aside,
    set_not_applicable_aside,
    skip_reason,
)
from srcnn_support.plugin.session import session_of, start_session

WIRE_RESULTS = "srcnn_results"  # xdist workeroutput keys: a worker's records and its cache counts
WIRE_CACHE = "srcnn_cache"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # --devices pins each device's benchmarks to one xdist worker: they must be grouped, not spread.
    if config.getoption("devices") and getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"
    register_markers(config)
    place_pytest_writes(config)
    state = start_session(config)
    if not hasattr(config, "workeroutput"):
        config.pluginmanager.register(RunObserver(state), f"srcnn-gate-observer-{id(config)}")
    _interrupt_on_sigterm()


def _interrupt_on_sigterm() -> None:
    """CI stops a job with SIGTERM: treat it as Ctrl-C so builds clean up and the summary still prints."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


def _raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


def pytest_sessionstart(session: pytest.Session) -> None:
    _ = session_of(session.config).gate  # a bad path or unreadable file: one line and exit 4 before anything runs


def pytest_report_header(config: pytest.Config) -> list[str]:
    gate = session_of(config).gate
    weights = gate.weights
    try:
        identity = f"md5 {identify_weights(weights).md5}"
    except SrcnnGateError as exc:
        identity = f"unreadable ({exc.problem})"
    lines = [f"srcnn-gate: {gate.dataset.description}"]
    if gate.dataset.skipped:
        lines.append(f"srcnn-gate: skipped {len(gate.dataset.skipped)} file(s) that are not images by name: "
                     f"{', '.join(gate.dataset.skipped)}")
    return lines + [f"srcnn-gate: weights {weights} ({identity}); target {gate.target}; artifacts {gate.artifacts_dir}"]


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected: only the tests that will run are looked at
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    set_not_applicable_aside(config, items)
    set_missing_target_aside(session_of(config), items)
    set_missing_calibration_aside(session_of(config), items)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    recorder = session_of(item.config).recorder
    recorder.current_test = item.nodeid  # every check recorded now names the test that made it
    if any(item.get_closest_marker(name) for name in ("accuracy", "perf")):
        recorder.gate_tests += 1  # a gate run: it gets a RELEASE line and a report, a unit-test run does not
    yield
    recorder.current_test = None


class RunObserver:
    """Registered per pytest run (pytester's nested runs get their own): failures and skips of every test,
    on the controller (xdist replays workers' reports there), counted in the RELEASE line."""

    def __init__(self, state) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report) -> None:
        state = self.state
        if report.failed:
            state.recorder.add_test_failure(report.nodeid, report.when, failure_message(report))
        elif report.skipped and not hasattr(report, "wasxfail"):
            reason = skip_reason(report)
            state.skip_reasons[reason] = state.skip_reasons.get(reason, 0) + 1

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.state.recorder.add_test_failure(report.nodeid or "collection", "collection", failure_message(report))


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session_of(session.config)
    if hasattr(session.config, "workeroutput"):  # an xdist worker: hand everything to the controller
        session.config.workeroutput[WIRE_RESULTS] = state.recorder.to_wire()
        cache = state.cache
        session.config.workeroutput[WIRE_CACHE] = [len(cache.stats.built), len(cache.stats.reused)] if cache else [0, 0]
        return
    finish_controller(state, session)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: the plugin must load where xdist is absent or loads later
def pytest_testnodedown(node, error) -> None:
    state = session_of(node.config)
    output = getattr(node, "workeroutput", {})
    if WIRE_RESULTS in output:
        state.recorder.merge_wire(output[WIRE_RESULTS])
    built, reused = output.get(WIRE_CACHE, [0, 0])
    state.worker_cache_counts = [state.worker_cache_counts[0] + built, state.worker_cache_counts[1] + reused]


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    state = session_of(config)
    headline = state.document["release"]["headline"] if state.document else None
    if headline:
        terminalreporter.write_sep("=", headline, red=headline.startswith("RELEASE FAIL"),
                                   green=headline.startswith("RELEASE PASS"),
                                   yellow=headline.startswith("RELEASE UNDECIDED"), bold=True)
    for line, red in summary_lines(state):
        terminalreporter.write_line(line, red=red)
