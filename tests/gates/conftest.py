import pytest

from srcnn_support.failure_diagnosis import FailureDiagnoses


@pytest.fixture(scope="session")
def failure_diagnoses(gate, recorder) -> FailureDiagnoses:
    """Why a backend or recorded run failed: the porting mistake its outputs reproduce (issue 14)."""
    return FailureDiagnoses(gate.weights, list(gate.dataset.files), recorder.meta)
