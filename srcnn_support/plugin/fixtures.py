"""Session fixtures: the configuration, the results recorder, the artifact cache, weights, images and runners."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from srcnn_support.backends.factory import BuiltRunner, RunnerOptions, make_runner, missing_backend_runtime
from srcnn_support.cache import ArtifactCache
from srcnn_support.convert import artifacts
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.gate.config import GateConfig
from srcnn_support.model.network import identify_weights, read_weights
from srcnn_support.plugin.session import session_of
from srcnn_support.report.results import ResultsRecorder
from srcnn_support.score.accuracy import (
    AccuracyOptions,
    AccuracySession,
    broken_backend_reason,
)


def _user_error(exc: SrcnnGateError):
    """Bad input met inside a fixture fails the tests with the library's one-line message."""
    pytest.fail(str(exc), pytrace=False)


def given_artifact_records(onnx_path) -> list[dict]:
    """``--onnx``: refuse a bad file once, up front; otherwise its path and sha256 for the report (with
    external data: over the model and its data files, each of which is listed with its own sha256)."""
    from srcnn_support.cache import sha256_file
    from srcnn_support.export.onnx_export import external_data_files, onnx_sha256

    try:
        artifacts.given_onnx(onnx_path)
    except SrcnnGateError as exc:
        _user_error(exc)
    record = {"kind": "onnx", "path": str(onnx_path), "sha256": onnx_sha256(onnx_path)}
    data = [{"path": str(f), "sha256": sha256_file(f)} for f in external_data_files(onnx_path)]
    return [record | {"external_data": data} if data else record]


@pytest.fixture(scope="session")
def gate(pytestconfig: pytest.Config) -> GateConfig:
    return session_of(pytestconfig).gate


@pytest.fixture(scope="session")
def recorder(pytestconfig: pytest.Config) -> ResultsRecorder:
    return session_of(pytestconfig).recorder


@pytest.fixture(scope="session")
def artifact_cache(gate: GateConfig, pytestconfig: pytest.Config) -> ArtifactCache:
    cache = ArtifactCache(gate.artifacts_dir / "cache")
    session_of(pytestconfig).cache = cache
    return cache


@pytest.fixture(scope="session")
def configured_target(gate: GateConfig, pytestconfig: pytest.Config):
    """``--target``, whether or not this machine has its hardware (a recorded run needs none)."""
    from srcnn_support.gate.config import TARGETS_FILE

    targets = session_of(pytestconfig).targets
    if gate.target not in targets:
        pytest.fail(f"unknown --target {gate.target!r}; known: {', '.join(targets)} (edit {TARGETS_FILE} to add one)",
                    pytrace=False)
    return targets[gate.target]


@pytest.fixture(scope="session")
def perf_target(gate: GateConfig, configured_target, pytestconfig: pytest.Config):
    from srcnn_support.gate.targets import missing_hardware

    target = configured_target
    if session_of(pytestconfig).recorded_run_given():
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
def backend_faults_fail_the_test(recorder: ResultsRecorder, target: str, backend: str,
                                 batch_size: int) -> Iterator[None]:
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
                                calibration_looked=gate.calibration_looked, given_om=gate.given_om, onnx=gate.onnx)
        return _runner_or_skip(perf_target.backend, artifact_cache, gate, batch_size, options, gate.require_target)

    return build


@pytest.fixture(scope="session")
def perf_variant_runner(gate: GateConfig, perf_target, artifact_cache: ArtifactCache, weights_identity):
    def build(backend: str, batch_size: int = 1) -> BuiltRunner:
        options = RunnerOptions(calibration_dir=gate.calibration_dir, calibration_looked=gate.calibration_looked,
                                onnx=gate.onnx)
        return _runner_or_skip(backend, artifact_cache, gate, batch_size, options, require=False)

    return build


@pytest.fixture(scope="session")
def weights_identity(gate: GateConfig, recorder: ResultsRecorder):
    try:
        identity = identify_weights(gate.weights)
        _, loaded_as = read_weights(gate.weights)  # refuse bad weights once, before any backend touches them
    except SrcnnGateError as exc:
        _user_error(exc)
    meta = recorder.meta
    meta.weights, meta.weights_md5, meta.weights_sha256 = identity.path, identity.md5, identity.sha256
    meta.weights_loaded_as, meta.dataset = loaded_as, gate.dataset.description
    if gate.onnx is not None:
        meta.given_artifacts = given_artifact_records(gate.onnx)
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
    from srcnn_support.diagnose.failure_diagnosis import FailureDiagnoses
    from srcnn_support.layers.failure import LayerDiagnoses

    options = AccuracyOptions(soc_version=gate.soc_version, precision_mode=gate.precision_mode, given_om=gate.given_om,
                              device_id=gate.devices[0] if gate.devices else 0, calibration_dir=gate.calibration_dir,
                              calibration_looked=gate.calibration_looked, onnx=gate.onnx)
    session = AccuracySession(artifact_cache, gate.weights, prepared, options)
    session.diagnoses = FailureDiagnoses(gate.weights, list(gate.dataset.files), recorder.meta.diagnosis)
    session.layer_diagnoses = LayerDiagnoses(session, recorder.meta.layers, gate.report_dir)
    _save_reference_pictures(session, gate.report_dir)
    return session


def _save_reference_pictures(session: AccuracySession, report_dir) -> None:
    """Side-by-side crops (bicubic | SRCNN | ground truth) of the reference outputs, for the report."""
    from srcnn_support.prepare.imaging import compose_sr_rgb
    from srcnn_support.report.pictures import save_side_by_side

    for image in session.images:
        sr = compose_sr_rgb(session.reference.natural[image.name], image.bicubic)
        save_side_by_side(report_dir, image.name, image.bicubic, sr, image.ground_truth)
