"""Weights files as people really have them, read without ever executing code from them.

Accepted: a plain state dict (the reference repository's ``srcnn_x2.pth``), a training checkpoint
that nests it (``{"state_dict": ...}``, ``{"model": ...}``, ``{"model_state_dict": ...}``, ``{"net":
...}``, with or without epoch/optimizer entries), keys prefixed ``module.`` by DataParallel or
DistributedDataParallel, fp16 tensors, and ``.safetensors`` files. Pickled files go through
``torch.load(weights_only=True)``, which refuses any global other than tensors and plain containers;
safetensors holds no code by design. What was unwrapped is returned, for the results.
"""
from __future__ import annotations

import pickle
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from srcnn_support.errors import SrcnnGateError

NESTING_KEYS = ("state_dict", "model_state_dict", "model", "net")
WRAPPER_PREFIXES = ("module.", "_orig_mod.")  # DataParallel/DDP; torch.compile
SAFETENSORS_MAX_HEADER = 100 * 1024 * 1024  # the format's own limit


@dataclass
class Checkpoint:
    state: object
    file_format: str
    unwrapped: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return "; ".join([self.file_format, *self.unwrapped])


def read_checkpoint(path: Path, data: bytes) -> Checkpoint:
    """Decode ``data`` (the bytes of ``path``) and unwrap it down to the tensors' dict."""
    if not data:
        raise SrcnnGateError(path, "empty file (0 bytes), expected PyTorch or safetensors weights")
    if _looks_like_safetensors(data):
        checkpoint = Checkpoint(_load_safetensors(path, data), "safetensors")
    elif data.startswith(b"PK\x03\x04") or data.startswith(b"\x80"):
        checkpoint = Checkpoint(_load_torch(path), "torch.save zip" if data.startswith(b"PK") else "legacy pickle")
    else:
        raise SrcnnGateError(path, "not a weights file (neither torch.save's zip format, a pickle, nor safetensors)")
    _unwrap(checkpoint)
    return checkpoint


def _looks_like_safetensors(data: bytes) -> bool:
    if len(data) < 10:
        return False
    header_size = int.from_bytes(data[:8], "little")
    return 2 <= header_size <= min(SAFETENSORS_MAX_HEADER, len(data) - 8) and data[8:9] == b"{"


def _load_safetensors(path: Path, data: bytes) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load

    try:
        return load(data)
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise SrcnnGateError(
            path, f"not a readable safetensors file: truncated or damaged ({_first_line(exc)})"
        ) from None


def _load_torch(path: Path) -> object:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        culprit = re.search(r"(?i)unsupported global:? (?:GLOBAL )?([\w.]+)", str(exc))
        why = f"it would import '{culprit[1]}'" if culprit else "it holds objects other than tensors"
        raise SrcnnGateError(path, f"refused to load: {why}; only tensors and plain containers are accepted") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SrcnnGateError(
            path, f"not a readable PyTorch weights file: truncated or damaged ({_first_line(exc)})"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _unwrap(checkpoint: Checkpoint) -> None:
    state = checkpoint.state
    while isinstance(state, dict) and not _holds_tensors(state):
        key = next((k for k in NESTING_KEYS if isinstance(state.get(k), dict)), None)
        if key is None:
            break
        others = sorted(str(k) for k in state if k != key)
        checkpoint.unwrapped.append(f"unwrapped '{key}'" + (f" (ignored {', '.join(others)})" if others else ""))
        state = state[key]
    if isinstance(state, dict) and state:
        for prefix in WRAPPER_PREFIXES:
            if all(isinstance(k, str) and k.startswith(prefix) for k in state):
                state = {k[len(prefix):]: v for k, v in state.items()}
                checkpoint.unwrapped.append(f"stripped '{prefix}' prefix")
        dtypes = sorted({str(v.dtype).replace("torch.", "") for v in state.values()
                         if isinstance(v, torch.Tensor) and v.dtype != torch.float32})
        if dtypes:
            checkpoint.unwrapped.append(f"converted {', '.join(dtypes)} to float32")
    checkpoint.state = state


def _holds_tensors(state: dict) -> bool:
    return any(isinstance(v, torch.Tensor) for v in state.values())
