import pytest


@pytest.fixture(scope="session")
def failure_diagnoses(accuracy):
    """Why a backend or recorded run failed: the porting mistake its outputs reproduce (issue 14)."""
    return accuracy.diagnoses
