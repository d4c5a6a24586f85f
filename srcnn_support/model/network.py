"""The SRCNN 9-5-5 network and safe loading of its weights.

Layer names match the reference implementation (yjn870/SRCNN-pytorch) so that its official
``srcnn_x2.pth`` (a plain state dict) loads unchanged.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from srcnn_support.errors import SrcnnGateError

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
    """The validated float32 weights of any accepted weights file (see checkpoints.py); no code is ever run."""
    return read_weights(path)[0]


def read_weights(path: str | Path) -> tuple[dict[str, torch.Tensor], str]:
    """The validated weights and how they were read (format, what was unwrapped), for the results."""
    from srcnn_support.model.checkpoints import read_checkpoint

    path = Path(path)
    checkpoint = read_checkpoint(path, _read_bytes(path))
    return validate_state_dict(checkpoint.state, path), checkpoint.describe()


def load_model(path: str | Path) -> SRCNN:
    model = SRCNN()
    model.load_state_dict(read_state_dict(path))
    model.eval()
    return model


def save_state_dict_atomic(state: dict[str, torch.Tensor], path: str | Path) -> None:
    """Write the official format (a plain state dict) so the file never exists half-written."""
    from srcnn_support.atomic import atomic_write_via

    atomic_write_via(
        Path(path), lambda tmp: torch.save({k: v.detach().cpu().contiguous() for k, v in state.items()}, tmp)
    )
