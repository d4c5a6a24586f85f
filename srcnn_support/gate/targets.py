"""Perf targets are data (``fixtures/targets.json``); this module reads them and detects their hardware."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from srcnn_support.errors import SrcnnGateError
from srcnn_support.npu_smi import NpuChip, chip_family, chips_per_card, detected_chips
from srcnn_support.tools import query_tool


@dataclass(frozen=True)
class Gate:
    kind: str
    batch_sizes: tuple[int, ...]
    provenance: str
    min_ratio: float | None = None
    min_fps: float | None = None
    tolerance: float = 0.0
    reference_tool: str | None = None  # the bar is another machine's figure, read from this tool's log

    def threshold(self) -> float | None:
        if self.min_fps is None:
            return self.min_ratio
        return self.min_fps * (1.0 - self.tolerance)


@dataclass(frozen=True)
class SpeedupThreshold:
    min_speedup: float
    provenance: str


@dataclass(frozen=True)
class Variant:
    """Another backend measured against the target's own in the same session (e.g. INT8 vs fp32).

    Its threshold depends on the CPU's class for the variant's arithmetic (``host.cpu_class``): the int8 class
    for INT8, the bf16 class for bf16. A class with no measured threshold is recorded, not gated.
    """

    backend: str
    batch_sizes: tuple[int, ...]
    gated_batch_sizes: tuple[int, ...]
    thresholds_by_cpu_class: dict[str, SpeedupThreshold]
    cpu_class_kind: str = "int8"  # "int8", "bf16" or "fp32": by_cpu_<kind>_class in targets.json

    def threshold_for(self, cpu_class: str) -> SpeedupThreshold | None:
        return self.thresholds_by_cpu_class.get(cpu_class)


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
    timing: str = "host"  # "cuda-events": compute timed on the device (tests/gates/test_perf.py)
    recorded_backends: tuple[str, ...] = ()  # measured beside the target's backend, never gated
    notes: dict = field(default_factory=dict)
    figure: str = "harness"  # "tool": the gate reads the device tool's own figure (Ascend benchmark / ais_bench)

    @property
    def measurement(self) -> str:
        """How its throughput is measured: ``cuda-events``, ``tool-figure`` (the device tool's) or ``harness``."""
        if self.timing == "cuda-events":
            return "cuda-events"
        return "tool-figure" if self.figure == "tool" else "harness"

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
                               tolerance=g.get("tolerance", 0.0), reference_tool=g.get("reference_tool"))
                          for g in spec.get("gates", []))
            variants = tuple(Variant(v["backend"], tuple(v["batch_sizes"]), tuple(v.get("gated_batch_sizes", [])),
                                     {cls: SpeedupThreshold(t["min_speedup_over_fp32"], t["provenance"])
                                      for cls, t in v[f"by_cpu_{_class_kind(v)}_class"].items()}, _class_kind(v))
                             for v in spec.get("variants", []))
            targets[name] = Target(name, spec["description"], spec["backend"], spec["precision"], spec["detect"],
                                   tuple(spec["gated_batch_sizes"]), tuple(spec.get("recorded_batch_sizes", [])),
                                   gates, spec.get("chips_per_card", 1), spec.get("published", {}), variants,
                                   spec.get("timing", "host"), tuple(spec.get("recorded_backends", [])),
                                   spec.get("notes", {}), spec.get("figure", "harness"))
        except (KeyError, TypeError) as exc:
            raise SrcnnGateError(path, f"target '{name}' is malformed (missing or bad field {exc})") from None
    return targets


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
        output = query_tool(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"]) or ""
        wanted = target.detect["gpu_contains"]
        return (
            None
            if wanted in output
            else f"target {target.name}: no {wanted} GPU (nvidia-smi lists: {output.strip() or 'none'})"
        )
    if kind == "cuda":
        from srcnn_support.backends.cuda import missing_cuda_runtime
        from srcnn_support.backends.torch_cuda import missing_torch_cuda

        # a PyTorch CUDA target needs torch to see the GPU; ONNX Runtime's CUDA provider does not help it
        missing = missing_torch_cuda() if target.backend.startswith("torch-cuda") else missing_cuda_runtime()
        return missing or _missing_gpu_name(target)
    return f"target {target.name}: unknown detect kind {kind!r}"


def _missing_gpu_name(target: Target) -> str | None:
    """``detect.name_contains_any``: a GPU class (e.g. H100 / H200), matched on the names torch reports."""
    wanted = target.detect.get("name_contains_any")
    if not wanted:
        return None
    import torch

    names = (
        [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
    )
    if any(w in name for w in wanted for name in names):
        return None
    return f"target {target.name}: no {' or '.join(wanted)} GPU (torch sees: {', '.join(names) or 'none'})"


def _class_kind(variant: dict) -> str:
    return next((kind for kind in ("bf16", "fp32") if f"by_cpu_{kind}_class" in variant), "int8")
