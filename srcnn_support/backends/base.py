"""One lifecycle for every backend (after Polygraphy's runners): activate, infer, deactivate.

A runner is a context manager; its session is built lazily on ``activate`` so that creating a
runner (for example to list it or to skip it) costs nothing. ``infer`` takes an ``N x 1 x H x W``
float32 batch and returns the output batch of the same shape. Comparison is not a runner's job.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field

import numpy as np

from srcnn_support.errors import SrcnnGateError


@dataclass(frozen=True)
class RunnerInfo:
    """What produced a number: recorded beside every result."""

    backend: str
    precision: str
    versions: dict[str, str] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)


class Runner(abc.ABC):
    name: str = "runner"

    def __init__(self) -> None:
        self.is_active = False

    def __enter__(self) -> "Runner":
        self.activate()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.deactivate()

    def activate(self) -> None:
        if not self.is_active:
            self.activate_impl()
            self.is_active = True

    def deactivate(self) -> None:
        if self.is_active:
            self.deactivate_impl()
            self.is_active = False

    def infer(self, batch: np.ndarray) -> np.ndarray:
        if not self.is_active:
            raise RuntimeError(f"{self.name}: infer() called before activate()")
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        if batch.ndim != 4 or batch.shape[1] != 1:
            raise SrcnnGateError(self.name, f"expected an N x 1 x H x W batch, got shape {batch.shape}")
        output = np.asarray(self.infer_impl(batch), dtype=np.float32)
        if output.shape != batch.shape:
            raise SrcnnGateError(self.name, f"output shape {output.shape} differs from input shape {batch.shape}")
        return output

    @abc.abstractmethod
    def activate_impl(self) -> None: ...

    @abc.abstractmethod
    def infer_impl(self, batch: np.ndarray) -> np.ndarray: ...

    def deactivate_impl(self) -> None:
        return None

    @abc.abstractmethod
    def info(self) -> RunnerInfo: ...
