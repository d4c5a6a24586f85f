"""Layer by layer (issue 22): each live ONNX Runtime backend against PyTorch at conv1..conv3, for the report's table
and heatmap. What is decided here: the outputs added to read the layers leave the backend's own output unchanged
(Polygraphy's users see marking change fusion: NVIDIA/TensorRT#2232, #3258); otherwise the table is not the
shipped model's, and the difference is the failure message."""
from __future__ import annotations

import pytest

from srcnn_support.backends.registry import ACCURACY_BACKENDS
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.layers.live import LIVE_BACKENDS
from tests.gates.test_accuracy import outcome_of

pytestmark = pytest.mark.accuracy


@pytest.mark.parametrize("backend", [b for b in ACCURACY_BACKENDS if b in LIVE_BACKENDS])
def test_layer_outputs_leave_the_backend_output_unchanged(accuracy, recorder, backend):
    outcome_of(accuracy, recorder, backend)  # a backend this machine cannot run is skipped with its reason
    try:
        comparison = accuracy.layer_diagnoses.comparison(backend)
    except MissingRuntimeError as exc:  # TensorRT through trtexec: the layers need its Python API
        pytest.skip(str(exc))
    except SrcnnGateError as exc:  # a given model fixed to another image size: the gate's own checks judge it
        pytest.skip(f"layer by layer: not compared: {exc}")
    assert comparison.final_output_change == 0.0, (
        f"{backend}: adding the conv/ReLU outputs to a copy of the model moved its output by max abs "
        f"{comparison.final_output_change:.3g}: the per-layer table describes the modified model")
