"""The SRCNN 9-5-5 network and safe loading of its weights.

Layer names match the reference implementation (yjn870/SRCNN-pytorch) so that its official
``srcnn_x2.pth`` (a plain state dict) loads unchanged.
"""
from __future__ import annotations

import hashlib
import pickle
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from .errors import SrcnnGateError

EXPECTED_SHAPES: dict[str, tuple[int, ...]] = {
    "conv1.weight": (64, 1, 9, 9),
    "conv1.bias": (64,),
    "conv2.weight": (32, 64, 5, 5),
    "conv2.bias": (32,),
    "conv3.weight": (1, 32, 5, 5),
    "conv3.bias": (1,),
}
PARAMETER_COUNT = 57_281
# Multiply-adds per output pixel (weights only, biases excluded) x 2 = FLOP per pixel.
FLOP_PER_PIXEL = 2 * (64 * 81 + 32 * 64 * 25 + 32 * 25)
OFFICIAL_WEIGHTS_MD5 = "e0a9e64cf1f9016d7013e0b01f613f68"


class SRCNN(nn.Module):
    def __init__(self, num_channels: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(num_channels, 64, kernel_size=9, padding=9 // 2)
        self.conv2 = nn.Conv2d(64, 32, kernel_size=5, padding=5 // 2)
        self.conv3 = nn.Conv2d(32, num_channels, kernel_size=5, padding=5 // 2)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        return self.conv3(x)


@dataclass(frozen=True)
class WeightsIdentity:
    path: str
    md5: str
    sha256: str
    size: int

    @property
    def is_official(self) -> bool:
        return self.md5 == OFFICIAL_WEIGHTS_MD5


def identify_weights(path: str | Path) -> WeightsIdentity:
    path = Path(path)
    data = _read_bytes(path)
    return WeightsIdentity(
        path=str(path),
        md5=hashlib.md5(data).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SrcnnGateError(path, "weights file not found") from None
    except IsADirectoryError:
        raise SrcnnGateError(path, "is a directory, expected a weights file") from None
    except OSError as exc:
        raise SrcnnGateError(path, f"cannot read weights file ({exc.strerror})") from None


def validate_state_dict(state: object, source: str | Path) -> dict[str, torch.Tensor]:
    """Check keys, shapes and values; return a float32 copy ready for ``load_state_dict``."""
    if not isinstance(state, dict):
        raise SrcnnGateError(source, f"expected a state dict, found {type(state).__name__}")
    missing = [k for k in EXPECTED_SHAPES if k not in state]
    if missing:
        raise SrcnnGateError(source, f"missing key '{missing[0]}' (missing: {', '.join(missing)})")
    unexpected = [str(k) for k in state if k not in EXPECTED_SHAPES]
    if unexpected:
        raise SrcnnGateError(source, f"unexpected key '{unexpected[0]}' (unexpected: {', '.join(unexpected)})")
    clean: dict[str, torch.Tensor] = {}
    for key, shape in EXPECTED_SHAPES.items():
        value = state[key]
        if not isinstance(value, torch.Tensor):
            raise SrcnnGateError(source, f"key '{key}' is {type(value).__name__}, expected a tensor")
        if tuple(value.shape) != shape:
            raise SrcnnGateError(source, f"key '{key}' has shape {tuple(value.shape)}, expected {shape}")
        if not torch.isfinite(value).all():
            raise SrcnnGateError(source, f"key '{key}' holds NaN or Inf values")
        clean[key] = value.detach().to(torch.float32).clone()
    return clean


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Load a state dict without ever executing pickled code (``weights_only=True``)."""
    path = Path(path)
    head = _read_bytes(path)[:4]  # uniform "not found"/"directory" messages before torch sees the path
    if not head:
        raise SrcnnGateError(path, "empty file (0 bytes), expected PyTorch weights")
    if not (head.startswith(b"PK\x03\x04") or head.startswith(b"\x80")):
        raise SrcnnGateError(path, "not a PyTorch weights file (neither torch.save's zip format nor a pickle)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        culprit = re.search(r"(?i)unsupported global:? (?:GLOBAL )?([\w.]+)", str(exc))
        why = f"it would import '{culprit[1]}'" if culprit else "it holds objects other than tensors"
        raise SrcnnGateError(path, f"refused to load: {why}; only plain tensor state dicts are accepted") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SrcnnGateError(path, f"not a readable PyTorch weights file: truncated or damaged ({first})") from None
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]  # our training checkpoints nest the weights under "model"
    return validate_state_dict(state, path)


def load_model(path: str | Path) -> SRCNN:
    model = SRCNN()
    model.load_state_dict(read_state_dict(path))
    model.eval()
    return model


def save_state_dict_atomic(state: dict[str, torch.Tensor], path: str | Path) -> None:
    """Write the official format (a plain state dict) so the file never exists half-written."""
    from .atomic import atomic_write_via

    atomic_write_via(Path(path), lambda tmp: torch.save({k: v.detach().cpu().contiguous() for k, v in state.items()}, tmp))
