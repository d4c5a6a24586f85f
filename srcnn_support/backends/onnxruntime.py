"""ONNX Runtime on the CPU (or any execution provider it was built with)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.backends.base import Runner, RunnerInfo
from srcnn_support.backends.tiling import fixed_shape_inference
from srcnn_support.errors import MissingRuntimeError
from srcnn_support.export.onnx_export import INPUT_NAME
from srcnn_support.export.onnxruntime_session import session_options


def require_granted_providers(runner_name: str, requested: list[str], granted: list[str]) -> None:
    """ONNX Runtime lists an execution provider it was built with even when its libraries (CUDA, cuDNN)
    cannot be loaded; the session then silently runs on the CPU. Only the session knows what it got."""
    refused = [p for p in requested if p not in granted]
    if refused:
        raise MissingRuntimeError(runner_name, f"onnxruntime was asked for {', '.join(refused)} but the session "
                                               f"runs on {', '.join(granted) or 'nothing'} (the provider's libraries "
                                               "could not be loaded); a CPU result is not reported as this backend")


class OnnxRuntimeRunner(Runner):
    name = "onnxruntime"

    def __init__(self, onnx_path: Path, providers: list[str] | None = None, threads: int | None = None,
                 precision: str = "fp32", name: str | None = None) -> None:
        super().__init__()
        self.onnx_path = Path(onnx_path)
        self.providers = providers or ["CPUExecutionProvider"]
        self.threads = threads
        self.precision = precision
        if name:
            self.name = name
        self._session = None
        self._input_type = np.float32
        self.static_dims: tuple[int | None, int | None, int | None] = (None, None, None)  # batch, height, width

    def activate_impl(self) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise MissingRuntimeError(self.name, "python package 'onnxruntime' is not installed") from None
        missing = [p for p in self.providers if p not in ort.get_available_providers()]
        if missing:
            raise MissingRuntimeError(self.name, f"onnxruntime lacks execution provider(s) {', '.join(missing)}")
        session = ort.InferenceSession(str(self.onnx_path), session_options(self.threads), providers=self.providers)
        require_granted_providers(self.name, self.providers, session.get_providers())
        self._session = session
        self._input_type = np.float16 if self._session.get_inputs()[0].type == "tensor(float16)" else np.float32
        self.static_dims = static_dims(self._session.get_inputs()[0].shape)

    @property
    def session(self):
        return self._session

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        return run_in_static_shape(self._run, batch, self.static_dims)

    def _run(self, batch: np.ndarray) -> np.ndarray:
        (output,) = self._session.run(None, {INPUT_NAME: batch.astype(self._input_type, copy=False)})
        return np.asarray(output, dtype=np.float32)

    def deactivate_impl(self) -> None:
        self._session = None

    def info(self) -> RunnerInfo:
        import onnxruntime as ort

        return RunnerInfo(self.name, self.precision, {"onnxruntime": ort.__version__},
                          {"providers": ",".join(self.providers), "model": self.onnx_path.name})


def static_dims(shape) -> tuple[int | None, int | None, int | None]:
    """(batch, height, width) of an ``N x 1 x H x W`` input as ONNX Runtime lists it: None where dynamic."""
    fixed = [d if isinstance(d, int) and d > 0 else None for d in shape]
    return fixed[0], fixed[2], fixed[3]


def run_in_static_shape(infer, batch: np.ndarray, dims: tuple[int | None, int | None, int | None]) -> np.ndarray:
    """Any ``N x 1 x H x W`` batch through a model whose input is fixed in some dims: a fixed batch B in
    chunks of B (the last one padded with repeats, their outputs dropped); a fixed H x W as tiles of that
    size with an exact halo (``tiling.py``, as for a fixed-shape .om; a smaller side is zero-padded)."""
    fixed_batch, fixed_h, fixed_w = dims
    height, width = batch.shape[2:]
    if (fixed_h or height, fixed_w or width) != (height, width):
        plane = fixed_shape_inference(lambda tiles: run_in_batches(infer, tiles, fixed_batch), fixed_batch or 4,
                                      (fixed_h or height, fixed_w or width))
        return np.stack([plane(p) for p in batch[:, 0]])[:, None]
    return run_in_batches(infer, batch, fixed_batch)


def run_in_batches(infer, batch: np.ndarray, fixed_batch: int | None) -> np.ndarray:
    if fixed_batch is None or len(batch) == fixed_batch:
        return infer(batch)
    outputs = []
    for start in range(0, len(batch), fixed_batch):
        chunk = batch[start:start + fixed_batch]
        filled = np.concatenate([chunk, np.repeat(chunk[-1:], fixed_batch - len(chunk), axis=0)])
        outputs.append(infer(filled)[:len(chunk)])
    return np.concatenate(outputs)
