"""Building a runner by backend name (through the backend registry), with its artifacts taken from the cache."""
from __future__ import annotations

from pathlib import Path

from srcnn_support.backends.builders import BuiltRunner, RunnerOptions
from srcnn_support.backends.registry import TORCH_CUDA_BACKENDS, backend
from srcnn_support.cache import ArtifactCache
from srcnn_support.errors import MissingRuntimeError

__all__ = ["BuiltRunner", "RunnerOptions", "TORCH_CUDA_BACKENDS", "make_runner", "missing_backend_runtime"]


def make_runner(name: str, cache: ArtifactCache, weights: Path, batch_size: int,
                options: RunnerOptions | None = None) -> BuiltRunner:
    options = options or RunnerOptions()
    spec = backend(name)
    missing = spec.missing(True)  # the ATC check waits for the build: a given --om needs no ATC
    if missing:
        raise MissingRuntimeError(name, missing)
    return BuiltRunner(spec.build(name, cache, weights, batch_size, options), spec.fixed_batch)


def missing_backend_runtime(name: str, given_om: bool = False) -> str | None:
    """None when the backend can run here, else what is missing (checked before building artifacts)."""
    return backend(name).missing(given_om)
