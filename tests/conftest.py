"""Paths the test folders share, as module constants: ``from tests.conftest import ROOT, SET5``.

Constants rather than fixtures, so that module-level ``skipif`` and ``parametrize`` can use them too;
there are no path fixtures. The project's paths come from the library (``srcnn_support.gate.config``), and
the data root from the resolution the gate itself uses (``srcnn_support.prepare.datasets.data_root``):
$SRCNN_DATA_ROOT, else ``shared/data`` beside the project.
"""
from pathlib import Path

from srcnn_support.gate.config import DEFAULT_WEIGHTS, PROJECT_ROOT
from srcnn_support.prepare.datasets import data_root

# Were srcnn_support imported from another checkout (an editable install elsewhere), the tests would
# drive that checkout's code while reading this one's files.
_CHECKOUT = Path(__file__).resolve().parents[1]
if PROJECT_ROOT != _CHECKOUT:
    raise ImportError(f"srcnn_support is imported from {PROJECT_ROOT}, not from this checkout ({_CHECKOUT}): "
                      "set PYTHONPATH to this checkout")

ROOT = PROJECT_ROOT
FIXTURES = ROOT / "fixtures"
LOGS = FIXTURES / "logs"
WEIGHTS = DEFAULT_WEIGHTS
EMULATORS = ROOT / "tests" / "contract" / "emulators"
DATA_ROOT = data_root()
SET5 = DATA_ROOT / "Set5"
