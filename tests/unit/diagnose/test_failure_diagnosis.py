"""A backend that fails the accuracy gate carries the diagnosis in its failure message, and the
report shows the cause beside its failing rows."""

import re

import pytest

from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.cache import ArtifactCache
from srcnn_support.convert.artifacts import prepared_images
from srcnn_support.diagnose.failure_diagnosis import FailureDiagnoses, failure_explainer
from srcnn_support.gate.accuracy_rules import RULES, RuleInputs
from srcnn_support.gate.config import DEFAULT_WEIGHTS
from srcnn_support.report.render import accuracy_blocks
from srcnn_support.report.results import ResultsRecorder
from srcnn_support.score.accuracy import AccuracySession, measurement_row
from tests.conftest import SET5


class NaturalLayoutPort(PyTorchRunner):
    """A port whose preprocessing undoes the guide's transpose: it feeds the natural plane (layout-not-transposed)."""

    def infer_impl(self, batch):
        return super().infer_impl(batch.transpose(0, 1, 3, 2).copy())


@pytest.fixture
def session_and_recorder(tmp_path, monkeypatch):
    files = [SET5 / "bird.png", SET5 / "head.png"]
    if not all(f.is_file() for f in files):
        pytest.skip(f"Set5 not found at {SET5} (set SRCNN_DATA_ROOT)")
    cache = ArtifactCache(tmp_path / "cache")
    session = AccuracySession(cache, DEFAULT_WEIGHTS, prepared_images(cache, files))
    recorder = ResultsRecorder()
    session.diagnoses = FailureDiagnoses(DEFAULT_WEIGHTS, files, recorder.meta.diagnosis)
    runners = {"pytorch": PyTorchRunner, "natural-port": NaturalLayoutPort}
    monkeypatch.setattr(session, "_make_runner", lambda backend: (runners[backend](DEFAULT_WEIGHTS), False))
    return session, recorder


def guide_psnr_verdict(session, recorder, backend, image=None):
    """The live-reference 1% rule for one image (or the mean), with the diagnosis attached, recorded."""
    scores, reference = session.outcome(backend).scores, session.reference.scores
    for name in scores:  # the report's accuracy table reads these rows
        recorder.add_measurement(backend, name, measurement_row(session, backend, name))
    check = "guide_psnr_vs_live_reference" if image else "mean_guide_psnr_vs_live_reference"
    inputs = RuleInputs(backend, scores, reference, explain=failure_explainer(session, backend))
    verdict = RULES[check].decide(inputs, image)
    recorder.record(verdict)
    return verdict


def test_failing_backend_names_the_cause_in_message_and_report(session_and_recorder):
    session, recorder = session_and_recorder
    failing = guide_psnr_verdict(session, recorder, "natural-port", "bird")
    assert failing.passed is False
    message = failing.explanation
    assert "bird/natural-port: guide_psnr_vs_live_reference" in message
    assert "diagnosis: cause layout-not-transposed" in message
    # bit-exact where both runs take the same kernels; AVX2-only CPUs (Zen 3) reorder sums between batch shapes
    match = re.search(r"bird: layout-not-transposed \(PSNR (exact|[0-9.]+ dB)", message)
    assert match and (match[1] == "exact" or float(match[1].split()[0]) > 100), message
    failing_mean = guide_psnr_verdict(session, recorder, "natural-port")
    assert failing_mean.passed is False and "diagnosis: cause layout-not-transposed" in failing_mean.explanation
    reference_itself = guide_psnr_verdict(session, recorder, "pytorch", "bird")  # not judged against itself
    assert reference_itself.passed is None
    assert "guide's layout alone moves PyTorch's guide PSNR" in reference_itself.reason
    assert "pytorch" not in recorder.meta.diagnosis  # a passing backend is never diagnosed
    table = next(b for b in accuracy_blocks(recorder.document()) if hasattr(b, "rows"))
    assert table.rows[0][0] == "bird" and table.rows[0][-1] == "FAIL (cause natural-port: layout-not-transposed)"
    assert table.rows[-1][-1] == "FAIL (cause natural-port: layout-not-transposed)"
