"""Release to release: this run's quality and outputs against the last accepted release (``--baseline STORE``).

The live 1% rule compares a port with PyTorch on the *same* weights, so weights that lose real quality pass it;
these checks hold each image and backend to what was accepted before (``srcnn_support/release/compare.py``).
"""
from __future__ import annotations

import pytest

from srcnn_support.release.compare import outputs_vs_accepted, quality_vs_accepted
from srcnn_support.release.fingerprint import machine_fingerprint
from tests.gates.test_accuracy import outcome_of

pytestmark = pytest.mark.accuracy


def _rows(accuracy, recorder, backend: str) -> list[dict]:
    """The rows ``outcome_of`` has just recorded for this backend (scores, reference columns, output digest)."""
    outcome = outcome_of(accuracy, recorder, backend)
    return [recorder.measurements[f"{backend}/{name}"] for name in outcome.scores]


def _apply(recorder, records) -> None:
    for record in records:
        recorder.record(record)
    failed = [r.explanation for r in records if r.passed is False]
    if failed:
        pytest.fail(f"{len(failed)} change(s) beyond the accepted release's tolerance:\n" + "\n".join(failed),
                    pytrace=False)
    if not any(r.passed for r in records):
        pytest.skip("; ".join(dict.fromkeys(r.reason for r in records if r.reason)) or "nothing to compare")


def test_quality_vs_accepted_release(accepted_release, accuracy, recorder, backend):
    machine = machine_fingerprint()
    _apply(recorder, [record for row in _rows(accuracy, recorder, backend)
                      for record in quality_vs_accepted(row, accepted_release, machine)])


def test_outputs_vs_accepted_release(accepted_release, accuracy, recorder, backend, weights_identity):
    machine = machine_fingerprint()
    records = [outputs_vs_accepted(row, accepted_release, machine, weights_identity.sha256)
               for row in _rows(accuracy, recorder, backend)]
    records = [r for r in records if r is not None]
    if not records:
        pytest.skip(f"{backend}: output bits are compared for fp32 CPU backends only")
    _apply(recorder, records)
