"""The PyTorch CUDA graph runner on a real GPU (tools/device_check.sh runs this first); skipped without one."""
from __future__ import annotations

import numpy as np
import pytest

from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.backends.torch_cuda import MAX_GRAPHS, TorchCudaGraphRunner, missing_torch_cuda
from srcnn_support.gate.config import DEFAULT_WEIGHTS
from srcnn_support.perf.gpu_timing import TimingPolicy, time_cuda_events

pytestmark = pytest.mark.skipif(missing_torch_cuda() is not None, reason=f"needs a CUDA GPU: {missing_torch_cuda()}")

# fp16 keeps 11 significant bits: on outputs of magnitude ~1 after three convolutions the difference
# to fp32 is a few 1e-3 at most; TF32 has the same mantissa in the products, fp32 sums.
MAX_ABS_TO_FP32 = {"fp16": 1e-2, "tf32": 1e-2}


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    rng = np.random.default_rng(15)
    return rng.random((4, 1, 64, 48), dtype=np.float32)


@pytest.fixture(scope="module")
def reference(batch) -> np.ndarray:
    with PyTorchRunner(DEFAULT_WEIGHTS) as runner:
        return runner.infer(batch)


@pytest.mark.parametrize("precision", ["fp16", "tf32"])
def test_graph_output_matches_pytorch_fp32(batch, reference, precision):
    with TorchCudaGraphRunner(DEFAULT_WEIGHTS, precision=precision) as runner:
        first, second = runner.infer(batch), runner.infer(batch)
        info = runner.info()
    assert info.details["cuda_graphs"] == "1 captured"
    np.testing.assert_array_equal(first, second)  # a replay reads the new input, not a stale one
    assert np.abs(first - reference).max() <= MAX_ABS_TO_FP32[precision]


def test_graph_equals_eager_and_follows_new_inputs(batch):
    with (
        TorchCudaGraphRunner(DEFAULT_WEIGHTS, use_graphs=False) as eager,
        TorchCudaGraphRunner(DEFAULT_WEIGHTS) as graph,
    ):
        np.testing.assert_allclose(graph.infer(batch), eager.infer(batch), atol=2e-3)
        flipped = np.ascontiguousarray(batch[:, :, ::-1])
        np.testing.assert_allclose(graph.infer(flipped), eager.infer(flipped), atol=2e-3)


def test_staged_replay_computes_the_same_output(batch):
    import torch

    with TorchCudaGraphRunner(DEFAULT_WEIGHTS) as runner:
        expected = runner.infer(batch)
        step = runner.stage(batch[::-1].copy())
        step()
        torch.cuda.synchronize()
        captured = runner._prepared(batch.shape)
        staged = captured.device_output.cpu().numpy()
        samples = time_cuda_events(step, runner.device, TimingPolicy(warmup_s=0.02, duration_s=0.1))
    np.testing.assert_allclose(staged, expected[::-1], atol=1e-3)
    assert len(samples) >= 10 and min(samples) > 0


def test_shapes_past_the_graph_limit_run_eagerly():
    with TorchCudaGraphRunner(DEFAULT_WEIGHTS) as runner:
        for width in range(16, 16 + 2 * (MAX_GRAPHS + 2), 2):
            out = runner.infer(np.zeros((1, 1, 16, width), np.float32))
            assert out.shape == (1, 1, 16, width) and np.isfinite(out).all()
        assert runner.info().details["cuda_graphs"] == f"{MAX_GRAPHS} captured"
