"""Perf targets are data (``fixtures/targets.json``); this module reads them and detects their hardware."""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SrcnnGateError
from .npu_smi import NpuChip, chip_family, chips_per_card, detected_chips


@dataclass(frozen=True)
class Gate:
    kind: str
    batch_sizes: tuple[int, ...]
    provenance: str
    min_ratio: float | None = None
    min_fps: float | None = None
    tolerance: float = 0.0

    def threshold(self) -> float | None:
        if self.min_fps is None:
            return self.min_ratio
        return self.min_fps * (1.0 - self.tolerance)


@dataclass(frozen=True)
class Variant:
    """Another backend measured against the target's own in the same session (e.g. INT8 vs fp32)."""

    backend: str
    batch_sizes: tuple[int, ...]
    gated_batch_sizes: tuple[int, ...]
    min_speedup: float
    provenance: str


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    backend: str
    precision: str
    detect: dict
    gated_batch_sizes: tuple[int, ...]
    recorded_batch_sizes: tuple[int, ...]
    gates: tuple[Gate, ...]
    chips_per_card: int = 1
    published: dict = field(default_factory=dict)
    variants: tuple[Variant, ...] = ()
    figure: str = "harness"  # "tool": the gate reads the device tool's own figure (Ascend benchmark / ais_bench)

    @property
    def batch_sizes(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.gated_batch_sizes) | set(self.recorded_batch_sizes)))

    def gates_for(self, batch_size: int) -> list[Gate]:
        return [g for g in self.gates if batch_size in g.batch_sizes]


def load_targets(path: Path) -> dict[str, Target]:
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SrcnnGateError(path, "targets file not found") from None
    except json.JSONDecodeError as exc:
        raise SrcnnGateError(path, f"not valid JSON ({exc})") from None
    targets = {}
    for name, spec in data.items():
        try:
            gates = tuple(Gate(kind=g["kind"], batch_sizes=tuple(g["batch_sizes"]), provenance=g["provenance"],
                               min_ratio=g.get("min_ratio"), min_fps=g.get("min_fps"),
                               tolerance=g.get("tolerance", 0.0)) for g in spec.get("gates", []))
            variants = tuple(Variant(v["backend"], tuple(v["batch_sizes"]), tuple(v.get("gated_batch_sizes", [])),
                                     v["min_speedup_over_fp32"], v["provenance"]) for v in spec.get("variants", []))
            targets[name] = Target(name, spec["description"], spec["backend"], spec["precision"], spec["detect"],
                                   tuple(spec["gated_batch_sizes"]), tuple(spec.get("recorded_batch_sizes", [])),
                                   gates, spec.get("chips_per_card", 1), spec.get("published", {}), variants,
                                   spec.get("figure", "harness"))
        except (KeyError, TypeError) as exc:
            raise SrcnnGateError(path, f"target '{name}' is malformed (missing or bad field {exc})") from None
    return targets


def _run(command: list[str]) -> str | None:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None


def _wanted_npu_chips(target: Target) -> list[NpuChip]:
    families = set(target.detect.get("chip_families", []))
    return [chip for chip in detected_chips() if chip_family(chip.name) in families]


def card_chips(target: Target) -> tuple[int, str]:
    """Chips per card for the per-card figure: from the detected product for an NPU target."""
    if target.detect.get("kind") != "npu-smi":
        return target.chips_per_card, f"{target.chips_per_card} chip(s) per card ({target.name} in targets.json)"
    chips = _wanted_npu_chips(target)
    if not chips:
        return target.chips_per_card, f"{target.chips_per_card} chips per card (targets.json; no chip detected)"
    count = chips_per_card(chips)
    return count, f"{count} chip(s) per card (npu-smi lists {chips[0].name})"


def missing_hardware(target: Target) -> str | None:
    """None when this machine has the target's hardware, else a reason naming what is missing."""
    kind = target.detect.get("kind")
    if kind == "always":
        return None
    if kind == "npu-smi":
        if not shutil.which("npu-smi"):
            return f"target {target.name}: 'npu-smi' not on PATH (no Ascend driver installed)"
        if _wanted_npu_chips(target):
            return None
        families = "/".join(target.detect.get("chip_families", []))
        listed = ", ".join(sorted({c.name for c in detected_chips()})) or "none"
        return f"target {target.name}: 'npu-smi info' lists no Ascend {families} chip (chips listed: {listed})"
    if kind == "nvidia-smi":
        if not shutil.which("nvidia-smi"):
            return f"target {target.name}: 'nvidia-smi' not on PATH (no NVIDIA driver installed)"
        output = _run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"]) or ""
        wanted = target.detect["gpu_contains"]
        return None if wanted in output else f"target {target.name}: no {wanted} GPU (nvidia-smi lists: {output.strip() or 'none'})"
    if kind == "cuda":
        from .backends.cuda import missing_cuda_runtime

        return missing_cuda_runtime()
    return f"target {target.name}: unknown detect kind {kind!r}"
