"""The reference: the PyTorch model exactly as the reference script runs it (fp32, CPU)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from srcnn_support.backends.base import Runner, RunnerInfo
from srcnn_support.model.network import SRCNN, load_model


class PyTorchRunner(Runner):
    name = "pytorch"

    def __init__(self, weights: Path | SRCNN, threads: int | None = None) -> None:
        super().__init__()
        self._weights = weights
        self._threads = threads
        self._model: SRCNN | None = None

    def activate_impl(self) -> None:
        if self._threads:
            torch.set_num_threads(self._threads)
        self._model = self._weights if isinstance(self._weights, SRCNN) else load_model(self._weights)
        self._model.eval()

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        assert self._model is not None
        with torch.inference_mode():
            return self._model(torch.from_numpy(batch)).numpy()

    def deactivate_impl(self) -> None:
        self._model = None

    def info(self) -> RunnerInfo:
        return RunnerInfo("pytorch", "fp32", {"torch": torch.__version__})
