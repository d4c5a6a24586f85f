"""The GPU gate's verdicts: which figure each GPU target gates, against what, and how long it times."""
from __future__ import annotations

import numpy as np
import pytest

from srcnn_support.backends.base import RunnerInfo
from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.backends.torch_cuda import missing_torch_cuda
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import DEFAULT_WEIGHTS, TARGETS_FILE
from srcnn_support.gate.gpu_gate import gpu_decision, measure_on_gpu, perf_row, reference_fps, timing_policy
from srcnn_support.gate.targets import load_targets, missing_hardware
from srcnn_support.perf.gpu_timing import RECORDED_ONLY, T4_REFERENCE_FPS, TRTEXEC_DEFAULTS

TARGETS = load_targets(TARGETS_FILE)
INFO = RunnerInfo("torch-cuda-fp16", "fp16", {"torch": "x"}, {"gpu": "test"})


def test_cuda_target_gates_compute_against_the_t4():
    cuda = TARGETS["cuda"]
    assert cuda.timing == "cuda-events" and cuda.backend == "torch-cuda-fp16" and reference_fps(cuda) == 1163.108
    slow = gpu_decision(cuda, "cuda/torch-cuda-fp16", 1, {"fps": 1000.0})
    assert not slow and slow.gate_text == "compute >= 1163.108 fps"
    assert "compute 1000.000 fps < 1163.108 fps" in slow.message()
    (check,) = slow.checks
    assert (check.measured, check.reference, check.batch_size) == (1000.0, 1163.108, 1)
    fast = gpu_decision(cuda, "cuda/torch-cuda-fp16", 16, {"fps": 20000.0})
    assert fast and fast.gate_text == slow.gate_text
    row = perf_row(cuda, INFO, 1, 0, {"fps": 1000.0}, slow)
    assert row["verdict"] == "fail" and row["gated"] and row["checks"][0]["verdict"] == "fail"
    assert perf_row(cuda, INFO, 8, 0, {"fps": 1.0}, None)["verdict"] == "recorded"


def test_data_centre_target_is_recorded_until_measured():
    hopper = TARGETS["hopper"]
    assert hopper.gates == () and hopper.detect["name_contains_any"] == ["H100", "H200"]
    assert "no measurement yet; first device run sets it" in hopper.notes["thresholds"]
    decision = gpu_decision(hopper, "hopper/torch-cuda-fp16", 16, {"fps": 1.0})
    row = perf_row(hopper, INFO, 16, 0, {"fps": 1.0}, decision)
    assert (decision.checks, decision.gate_text, row["verdict"], row["gated"]) == ((), None, "recorded", False)
    assert "no measurement yet" in row["threshold_status"]


def test_gated_sizes_get_trtexec_timing_recorded_ones_less():
    cuda = TARGETS["cuda"]
    assert timing_policy(cuda, 16, True) is TRTEXEC_DEFAULTS
    assert timing_policy(cuda, 8, True) is RECORDED_ONLY and timing_policy(cuda, 16, False) is RECORDED_ONLY


def test_runner_without_device_staging_is_refused():
    batch = np.zeros((1, 1, 8, 8), np.float32)
    with pytest.raises(SrcnnGateError, match="pytorch: CUDA-event timing needs a runner that stages inputs"):
        measure_on_gpu(PyTorchRunner(DEFAULT_WEIGHTS), batch, RECORDED_ONLY, T4_REFERENCE_FPS)


@pytest.mark.skipif(missing_torch_cuda() is None, reason="torch sees a CUDA GPU here")
def test_gpu_targets_name_what_is_missing():
    for name in ("cuda", "hopper"):
        assert "torch.cuda.is_available() is False" in missing_hardware(TARGETS[name])
