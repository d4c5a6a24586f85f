"""PyTorch on a CUDA GPU at the speed the hardware allows for this model.

fp16 (or fp32 with TF32 convolutions), ``channels_last`` activations, cuDNN autotuning, and one CUDA
graph per input shape: the graph holds the cast of the float32 input, the three convolutions and
the cast back, the way trtexec's GPU compute time holds an fp16 engine's reformat layers for
float32 bindings. ``stage`` puts a batch in the graph's input on the device and returns the replay,
which the CUDA-event timer times (compute); ``infer`` is host to host through pinned buffers
(end-to-end). Global cuDNN settings are restored on ``deactivate``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from srcnn_support.backends.base import Runner, RunnerInfo
from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.model.network import load_model

PRECISIONS = ("fp16", "tf32")
MAX_GRAPHS = 8  # full-size images each have their own shape; past this many, shapes run eagerly
CAPTURE_WARMUP = 3  # cuDNN autotuning happens in these calls, on a side stream, before capture


def missing_torch_cuda() -> str | None:
    try:
        import torch
    except ImportError:
        return "python package 'torch' is not installed"
    if not torch.cuda.is_available():
        return (f"torch.cuda.is_available() is False (torch {torch.__version__}, CUDA build "
                f"{torch.version.cuda or 'none'}: CPU-only build or no GPU)")
    return None


@dataclass
class _Captured:
    graph: object | None
    device_input: object
    device_output: object
    host_input: object
    host_output: object


class TorchCudaGraphRunner(Runner):
    def __init__(self, weights: Path, device: int = 0, precision: str = "fp16", use_graphs: bool = True) -> None:
        super().__init__()
        if precision not in PRECISIONS:
            raise SrcnnGateError("torch-cuda", f"precision {precision!r} is not one of {', '.join(PRECISIONS)}")
        self.name = f"torch-cuda-{precision}"
        self.weights = Path(weights)
        self.device = device
        self.precision = precision
        self.use_graphs = use_graphs
        self._model = None
        self._shapes: dict[tuple[int, ...], _Captured] = {}
        self._saved_settings: dict[str, object] = {}

    def activate_impl(self) -> None:
        missing = missing_torch_cuda()
        if missing:
            raise MissingRuntimeError(self.name, missing)
        import torch

        self._saved_settings = _apply_cudnn_settings(torch, self.precision == "tf32")
        dtype = torch.float16 if self.precision == "fp16" else torch.float32
        model = load_model(self.weights).eval()
        self._model = model.to(device=f"cuda:{self.device}", dtype=dtype, memory_format=torch.channels_last)
        self._dtype = dtype

    def _forward(self, x):
        import torch

        x = x.to(self._dtype).contiguous(memory_format=torch.channels_last)
        return self._model(x).float()

    def _prepared(self, shape: tuple[int, ...]) -> _Captured:
        if shape not in self._shapes:
            self._shapes[shape] = self._capture(shape, graph=self.use_graphs and len(self._shapes) < MAX_GRAPHS)
        return self._shapes[shape]

    def _capture(self, shape: tuple[int, ...], graph: bool) -> _Captured:
        import torch

        device = torch.device(f"cuda:{self.device}")
        with torch.cuda.device(device), torch.no_grad():
            device_input = torch.zeros(shape, dtype=torch.float32, device=device)
            side = torch.cuda.Stream(device)
            side.wait_stream(torch.cuda.current_stream(device))
            with torch.cuda.stream(side):
                for _ in range(CAPTURE_WARMUP):
                    device_output = self._forward(device_input)
            torch.cuda.current_stream(device).wait_stream(side)
            cuda_graph = None
            if graph:
                cuda_graph = torch.cuda.CUDAGraph()
                with torch.cuda.graph(cuda_graph):
                    device_output = self._forward(device_input)
            host_input = torch.empty(shape, dtype=torch.float32, pin_memory=True)
            host_output = torch.empty(shape, dtype=torch.float32, pin_memory=True)
        return _Captured(cuda_graph, device_input, device_output, host_input, host_output)

    def _run(self, captured: _Captured) -> None:
        if captured.graph is not None:
            captured.graph.replay()
        else:
            captured.device_output.copy_(self._forward(captured.device_input))

    def stage(self, batch: np.ndarray) -> Callable[[], None]:
        """Copy ``batch`` into the device input (outside any timing) and return the compute step.

        The step runs on the current CUDA device: time it inside ``torch.cuda.device(self.device)``.
        """
        import torch

        if not self.is_active:
            raise RuntimeError(f"{self.name}: stage() called before activate()")
        captured = self._prepared(tuple(batch.shape))
        with torch.no_grad():
            captured.device_input.copy_(torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32)))
        torch.cuda.synchronize(self.device)

        if captured.graph is not None:
            return captured.graph.replay  # one launch per batch and nothing else on the host between events

        def compute() -> None:
            with torch.no_grad(), torch.cuda.device(self.device):
                self._run(captured)

        return compute

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        import torch

        captured = self._prepared(tuple(batch.shape))
        with torch.no_grad(), torch.cuda.device(self.device):
            captured.host_input.numpy()[...] = batch
            captured.device_input.copy_(captured.host_input, non_blocking=True)
            self._run(captured)
            captured.host_output.copy_(captured.device_output, non_blocking=True)
            torch.cuda.current_stream(self.device).synchronize()
        return captured.host_output.numpy().copy()

    def deactivate_impl(self) -> None:
        import torch

        self._shapes.clear()
        self._model = None
        _restore_cudnn_settings(torch, self._saved_settings)
        torch.cuda.empty_cache()

    def info(self) -> RunnerInfo:
        import torch

        gpu = torch.cuda.get_device_name(self.device) if torch.cuda.is_available() else "none"
        graphs = sum(1 for c in self._shapes.values() if c.graph is not None)
        return RunnerInfo(self.name, self.precision, {"torch": torch.__version__, "cuda": str(torch.version.cuda),
                                                      "cudnn": str(torch.backends.cudnn.version())},
                          {"gpu": gpu, "memory_format": "channels_last", "cudnn_benchmark": "on",
                           "cuda_graphs": f"{graphs} captured" if self.use_graphs else "off"})


def _apply_cudnn_settings(torch, tf32: bool) -> dict[str, object]:
    """cuDNN autotuning on; for the TF32 runner, TF32 convolutions on (fp16 leaves the fp32 flags alone).

    PyTorch >= 2.9 has ``cudnn.conv.fp32_precision``; once conv and RNN flags differ, reading the older
    ``cudnn.allow_tf32`` raises (checked on torch 2.13), so only the API this torch has is touched.
    """
    cudnn = torch.backends.cudnn
    saved: dict[str, object] = {"benchmark": cudnn.benchmark}
    cudnn.benchmark = True
    if not tf32:
        return saved
    conv = getattr(cudnn, "conv", None)
    if conv is not None and hasattr(conv, "fp32_precision"):
        saved["conv.fp32_precision"] = conv.fp32_precision
        conv.fp32_precision = "tf32"
    else:
        saved["allow_tf32"] = cudnn.allow_tf32
        cudnn.allow_tf32 = True
    return saved


def _restore_cudnn_settings(torch, saved: dict[str, object]) -> None:
    cudnn = torch.backends.cudnn
    if "benchmark" in saved:
        cudnn.benchmark = saved["benchmark"]
    if "conv.fp32_precision" in saved:
        cudnn.conv.fp32_precision = saved["conv.fp32_precision"]
    if "allow_tf32" in saved:
        cudnn.allow_tf32 = saved["allow_tf32"]
