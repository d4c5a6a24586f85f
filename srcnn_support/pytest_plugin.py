"""pytest plugin of the srcnn-gate suite: options, session-scoped fixtures and reporting hooks.

Installed as a ``pytest11`` entry point (see pyproject.toml) rather than living in conftest.py:
pytest picks its rootdir and initial conftests from the path-like arguments on the command line,
so ``pytest -m accuracy --dataset-dir ../shared/data/Set5`` would otherwise make pytest look for
configuration under ``../shared`` and never see these options. An entry point is loaded before
the command line is parsed, wherever the paths point. The work itself is done by the library.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from srcnn_support import artifacts
from srcnn_support.accuracy import (
    BACKENDS, AccuracyOptions, AccuracySession, broken_backend_reason, save_reference_pictures,
)
from srcnn_support.cache import ArtifactCache
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.gate import GateConfig, gate_config
from srcnn_support.model import identify_weights, read_weights
from srcnn_support.results import ResultsRecorder
from srcnn_support.runners import BuiltRunner, RunnerOptions, make_runner, missing_backend_runtime


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("srcnn-gate")
    group.addoption("--weights", help="SRCNN x2 weights (.pth state dict); default: the project's own trained weights")
    group.addoption("--dataset-dir", help="folder of HR images (e.g. Set5); default: $SRCNN_DATASET_DIR, else bundled samples")
    group.addoption("--dataset", help="set5 | set14 | bsd68 (under --data-root) or a folder")
    group.addoption("--data-root", help="folder holding Set5/Set14/BSD68 (default: $SRCNN_DATA_ROOT or ../shared/data)")
    group.addoption("--target", default="cpu", help="perf target from fixtures/targets.json (default: cpu)")
    group.addoption("--require-target", action="store_true", help="fail instead of skip when the target hardware is missing")
    group.addoption("--devices", help="comma-separated device ids, one per xdist worker (e.g. 0,1,2,3)")
    group.addoption("--artifacts-dir", help="artifact cache and report folder (default: $SRCNN_ARTIFACTS_DIR or .srcnn-artifacts)")
    group.addoption("--results-json", help="write per-image, per-backend results here")
    group.addoption("--soc-version", help="ATC --soc_version (default: read from 'npu-smi info')")
    group.addoption("--calibration-dir", help="INT8 calibration images (default: <data root>/train; never test images)")
    group.addoption("--om", action="append", metavar="[B=]PATH",
                    help="gate your own .om instead of building one with ATC (repeatable, one per batch size; "
                         "B=PATH or a name holding _bs<B>)")
    group.addoption("--perf-log", action="append", metavar="FILE",
                    help="gate a recorded tool run instead of this machine (repeatable): perf_vision_*.txt, "
                         "PureInfer_perf_of_*.txt, an ais_bench/ais_infer summary or a trtexec log")
    group.addoption("--onnx", help="gate this ONNX model (the one being released) instead of exporting one from "
                    "--weights, which stays the live reference; its sha256 goes in the report")
    group.addoption("--precision-mode", default="force_fp16", help="ATC --precision_mode (ATC's own default is fp16)")
    group.addoption("--dump-dir", help="a recorded device run's outputs (e.g. result/dumpOutput_device0) to gate "
                    "against the live reference (tests/gates/test_recorded_run.py)")


def _config(config: pytest.Config) -> GateConfig:
    if not hasattr(config, "_srcnn_gate"):
        try:
            config._srcnn_gate = gate_config(config.getoption)
        except SrcnnGateError as exc:  # a bad --dataset-dir etc.: one line, no traceback, exit code 4
            raise pytest.UsageError(str(exc)) from None
    return config._srcnn_gate


def given_artifact_records(onnx_path) -> list[dict]:
    """``--onnx``: refuse a bad file once, up front; otherwise its path and sha256 for the report."""
    from srcnn_support.cache import sha256_file

    try:
        artifacts.given_onnx(onnx_path)
    except SrcnnGateError as exc:
        _user_error(exc)
    return [{"kind": "onnx", "path": str(onnx_path), "sha256": sha256_file(onnx_path)}]


def _user_error(exc: SrcnnGateError):
    """Bad input met inside a fixture fails the tests with the library's one-line message."""
    pytest.fail(str(exc), pytrace=False)


MARKERS = {
    "accuracy": "release gate: per-image PSNR within 1% of the reference, every backend",
    "perf": "release gate: throughput on the --target hardware (pytest-benchmark)",
    "contract": "a tool's file contract exercised against a clearly named emulator",
    "slow": "takes more than a few seconds (subprocesses, kills, large images)",
}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # --devices pins each device's benchmarks to one xdist worker: they must be grouped, not spread.
    if config.getoption("devices") and getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"
    for name, text in MARKERS.items():  # also when pytest.ini was not found (rootdir elsewhere)
        config.addinivalue_line("markers", f"{name}: {text}")
    config._srcnn_recorder = ResultsRecorder()
    _interrupt_on_sigterm()


def _interrupt_on_sigterm() -> None:
    """CI stops a job with SIGTERM: treat it as Ctrl-C so builds clean up and the summary still prints."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


def _raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    gate = _config(config)
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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames and not _parametrized_by_test(metafunc, "backend"):
        metafunc.parametrize("backend", BACKENDS, scope="session")
    if "perf_batch_size" in metafunc.fixturenames:
        target = _perf_target_or_none(metafunc.config)
        sizes = target.batch_sizes if target else (1,)
        metafunc.parametrize("perf_batch_size", sizes, ids=[f"bs{b}" for b in sizes], scope="session")
    if "perf_variant" in metafunc.fixturenames:
        target = _perf_target_or_none(metafunc.config)
        cases = [(v, b) for v in (target.variants if target else ()) for b in v.batch_sizes]
        metafunc.parametrize("perf_variant", cases, ids=[f"{v.backend}-bs{b}" for v, b in cases] or None,
                             scope="session")
    if "perf_device" in metafunc.fixturenames:
        gate = _config(metafunc.config)
        devices = gate.devices or (0,)
        metafunc.parametrize("perf_device", [pytest.param(d, marks=pytest.mark.xdist_group(f"device{d}"))
                                             for d in devices], ids=[f"dev{d}" for d in devices], scope="session")
    if "image_name" in metafunc.fixturenames:
        metafunc.parametrize("image_name", _config(metafunc.config).dataset.names, scope="session")


def _parametrized_by_test(metafunc: pytest.Metafunc, name: str) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        if name in names:
            return True
    return False


def _targets(config: pytest.Config) -> dict:
    if not hasattr(config, "_srcnn_targets"):
        from srcnn_support.gate import TARGETS_FILE
        from srcnn_support.targets import load_targets

        config._srcnn_targets = load_targets(TARGETS_FILE)
    return config._srcnn_targets


def _perf_target_or_none(config: pytest.Config):
    return _targets(config).get(_config(config).target)


@pytest.fixture(scope="session")
def perf_target(gate: GateConfig, pytestconfig: pytest.Config):
    from srcnn_support.gate import TARGETS_FILE
    from srcnn_support.targets import missing_hardware

    targets = _targets(pytestconfig)
    if gate.target not in targets:
        pytest.fail(f"unknown --target {gate.target!r}; known: {', '.join(targets)} (edit {TARGETS_FILE} to add one)",
                    pytrace=False)
    target = targets[gate.target]
    if gate.perf_logs:
        pytest.skip("--perf-log given: the recorded figures are gated (test_recorded_throughput), not this machine")
    reasons = (missing_hardware(target), missing_backend_runtime(target.backend, given_om=bool(gate.given_om)))
    reason = "; ".join(dict.fromkeys(r for r in reasons if r))
    if reason:
        if gate.require_target:
            pytest.fail(f"--require-target: {reason}", pytrace=False)
        pytest.skip(reason)
    return target


def _runner_or_skip(backend: str, cache: ArtifactCache, gate: GateConfig, batch_size: int, options: RunnerOptions,
                    require: bool) -> BuiltRunner:
    try:
        return make_runner(backend, cache, gate.weights, batch_size, options)
    except MissingRuntimeError as exc:
        if require:
            pytest.fail(f"--require-target: {exc}", pytrace=False)
        pytest.skip(str(exc))


@contextmanager
def backend_faults_fail_the_test(recorder: ResultsRecorder, target: str, backend: str, batch_size: int) -> Iterator[None]:
    """A perf test whose backend or tool raises, crashes or hangs fails in one line and shows as broken."""
    try:
        yield
    except AssertionError:
        raise
    except Exception as exc:
        reason = broken_backend_reason(backend, exc)
        recorder.add_perf({"target": target, "backend": backend, "precision": "n/a", "batch_size": batch_size,
                           "gated": True, "verdict": "broken", "gate": reason})
        pytest.fail(reason, pytrace=False)


@pytest.fixture(scope="session")
def perf_runner(gate: GateConfig, perf_target, artifact_cache: ArtifactCache, weights_identity):
    def build(batch_size: int, device_id: int = 0) -> BuiltRunner:
        options = RunnerOptions(gate.soc_version, gate.precision_mode, device_id, calibration_dir=gate.calibration_dir,
                                given_om=gate.given_om, onnx=gate.onnx)
        return _runner_or_skip(perf_target.backend, artifact_cache, gate, batch_size, options, gate.require_target)

    return build


@pytest.fixture(scope="session")
def perf_variant_runner(gate: GateConfig, perf_target, artifact_cache: ArtifactCache, weights_identity):
    def build(backend: str, batch_size: int = 1) -> BuiltRunner:
        options = RunnerOptions(calibration_dir=gate.calibration_dir, onnx=gate.onnx)
        return _runner_or_skip(backend, artifact_cache, gate, batch_size, options, require=False)

    return build


@pytest.fixture(scope="session")
def gate(pytestconfig: pytest.Config) -> GateConfig:
    return _config(pytestconfig)


@pytest.fixture(scope="session")
def recorder(pytestconfig: pytest.Config) -> ResultsRecorder:
    return pytestconfig._srcnn_recorder


@pytest.fixture(scope="session")
def artifact_cache(gate: GateConfig, pytestconfig: pytest.Config) -> ArtifactCache:
    cache = ArtifactCache(gate.artifacts_dir / "cache")
    pytestconfig._srcnn_cache = cache
    return cache


@pytest.fixture(scope="session")
def weights_identity(gate: GateConfig, recorder: ResultsRecorder):
    try:
        identity = identify_weights(gate.weights)
        _, loaded_as = read_weights(gate.weights)  # refuse bad weights once, before any backend touches them
    except SrcnnGateError as exc:
        _user_error(exc)
    recorder.meta.update({"weights": identity.path, "weights_md5": identity.md5, "weights_sha256": identity.sha256,
                          "weights_loaded_as": loaded_as,
                          "dataset": gate.dataset.description})
    if gate.onnx is not None:
        recorder.meta["given_artifacts"] = given_artifact_records(gate.onnx)
    return identity


@pytest.fixture(scope="session")
def prepared(gate: GateConfig, artifact_cache: ArtifactCache):
    try:
        return artifacts.prepared_images(artifact_cache, list(gate.dataset.files))
    except SrcnnGateError as exc:
        _user_error(exc)


@pytest.fixture(scope="session")
def accuracy(gate: GateConfig, artifact_cache: ArtifactCache, prepared, weights_identity,
             recorder: ResultsRecorder) -> AccuracySession:
    from srcnn_support.failure_diagnosis import FailureDiagnoses

    options = AccuracyOptions(soc_version=gate.soc_version, precision_mode=gate.precision_mode, given_om=gate.given_om,
                              device_id=gate.devices[0] if gate.devices else 0, calibration_dir=gate.calibration_dir,
                              onnx=gate.onnx)
    session = AccuracySession(artifact_cache, gate.weights, prepared, options)
    session.diagnoses = FailureDiagnoses(gate.weights, list(gate.dataset.files), recorder.meta)
    save_reference_pictures(session, gate.report_dir)
    return session


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    recorder: ResultsRecorder = config._srcnn_recorder
    if hasattr(config, "workeroutput"):  # an xdist worker: hand everything to the controller
        config.workeroutput["srcnn_results"] = recorder.to_wire()
        cache = getattr(config, "_srcnn_cache", None)
        config.workeroutput["srcnn_cache"] = [len(cache.stats.built), len(cache.stats.reused)] if cache else [0, 0]
        return
    try:
        gate = _config(config)
    except SrcnnGateError:
        return
    if recorder.perf:
        card_rows = _per_card_rows(config, recorder)
        recorder.meta["per_card"] = card_rows
        failed = [r for r in card_rows if r["verdict"] == "fail"]
        if failed and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        config._srcnn_card_failures = failed
    if gate.results_json and (recorder.measurements or recorder.perf):
        recorder.write(gate.results_json)
    _write_report(config, gate, recorder)


def _write_report(config: pytest.Config, gate: GateConfig, recorder: ResultsRecorder) -> None:
    from srcnn_support import report

    if not (recorder.measurements or recorder.perf or recorder.meta.get("full_size")):
        return
    try:
        weights = identify_weights(gate.weights)
        weights_info = {"path": weights.path, "md5": weights.md5, "sha256": weights.sha256}
    except SrcnnGateError as exc:
        weights_info = {"path": str(gate.weights), "md5": f"unreadable: {exc.problem}", "sha256": ""}
    document = recorder.document()
    command = ["pytest", *config.invocation_params.args]
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
    written = report.write_report(gate.report_dir)
    if written:
        config._srcnn_report = written


def _published_values(md5: str) -> dict:
    from srcnn_support.accuracy import PublishedTable
    from srcnn_support.gate import PUBLISHED_TABLE

    table = PublishedTable.load(PUBLISHED_TABLE)
    return table.reference_script if md5 == table.weights_md5 else {}


def _per_card_rows(config: pytest.Config, recorder: ResultsRecorder) -> list[dict]:
    from srcnn_support.perf import aggregate_per_card

    targets = _targets(config)
    thresholds = {(t.name, b): g.threshold() for t in targets.values() for g in t.gates
                  if g.kind == "min_fps_per_card" for b in g.batch_sizes}
    return aggregate_per_card(recorder.perf, {t.name: t.chips_per_card for t in targets.values()}, thresholds)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: the plugin must load where xdist is absent or loads later
def _release_headline(terminalreporter, recorder: ResultsRecorder) -> str | None:
    """The report's first line for this run; a failed test the records do not show still fails the release."""
    from srcnn_support.release_verdict import release_verdict

    if not (recorder.verdicts or recorder.perf):
        return None
    verdict = release_verdict([recorder.document()])
    failed_tests = [report.nodeid.rsplit("::", 1)[-1] for key in ("failed", "error")
                    for report in terminalreporter.stats.get(key, [])]
    if verdict and failed_tests:
        return f"RELEASE FAIL: {len(failed_tests)} test(s) failed: " + "; ".join(failed_tests)
    return verdict.headline()


def pytest_testnodedown(node, error) -> None:
    output = getattr(node, "workeroutput", {})
    if "srcnn_results" in output:
        node.config._srcnn_recorder.merge_wire(output["srcnn_results"])
    built, reused = output.get("srcnn_cache", [0, 0])
    node.config._srcnn_worker_cache = [a + b for a, b in zip(getattr(node.config, "_srcnn_worker_cache", [0, 0]), [built, reused])]


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    headline = _release_headline(terminalreporter, config._srcnn_recorder)
    if headline:
        terminalreporter.write_sep("=", headline, red=headline.startswith("RELEASE FAIL"),
                                   green=headline.startswith("RELEASE PASS"), bold=True)
    cache = getattr(config, "_srcnn_cache", None)
    built, reused = (len(cache.stats.built), len(cache.stats.reused)) if cache else (0, 0)
    extra = getattr(config, "_srcnn_worker_cache", [0, 0])
    built, reused = built + extra[0], reused + extra[1]
    if built or reused:
        terminalreporter.write_line(f"srcnn-gate artifacts: {built} built, {reused} reused "
                                    f"(log: {_config(config).artifacts_dir / 'cache' / 'cache-events.log'})")
    gate = _config(config)
    for row in config._srcnn_recorder.meta.get("per_card", []):
        terminalreporter.write_line(
            f"srcnn-gate per-card {row['target']} bs{row['batch_size']}: {row['fps_per_card']:.3f} fps ({row['how']}), "
            f"threshold {row['threshold']}, {row['verdict'].upper()}", red=row["verdict"] == "fail")
    recorder = config._srcnn_recorder
    for verdict in recorder.verdicts:
        if verdict["check"] == "runtime" and verdict["verdict"] == "fail":
            terminalreporter.write_line(f"srcnn-gate BROKEN {verdict['reason']}", red=True)
    if gate.results_json and (recorder.measurements or recorder.perf):
        terminalreporter.write_line(f"srcnn-gate results: {gate.results_json}")
    if getattr(config, "_srcnn_report", None):
        md, page = config._srcnn_report
        terminalreporter.write_line(f"srcnn-gate report: {md} and {page}")
