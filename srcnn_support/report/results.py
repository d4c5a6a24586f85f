"""Collecting what the gates measured and decided, and writing it as one JSON document.

Tests add plain-dict rows; under pytest-xdist each worker ships its rows to the controller, which
merges them, so the document is the same whether the run used one process or several.
"""
from __future__ import annotations

import json
import math
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path

from srcnn_support.atomic import atomic_write_text


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


@dataclass
class ResultsRecorder:
    measurements: dict[str, dict] = field(default_factory=dict)  # "backend/image" -> scores
    verdicts: list[dict] = field(default_factory=list)
    perf: list[dict] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def add_measurement(self, backend: str, image: str, values: dict) -> None:
        self.measurements.setdefault(f"{backend}/{image}", {"backend": backend, "image": image}).update(_clean(values))

    def add_verdict(self, backend: str, image: str | None, check: str, passed: bool | None, measured=None,
                    reference=None, tolerance: str | None = None, reason: str | None = None) -> None:
        self.verdicts = [v for v in self.verdicts if (v["backend"], v["image"], v["check"]) != (backend, image, check)]
        self.verdicts.append(_clean({"backend": backend, "image": image, "check": check,
                                     "verdict": {True: "pass", False: "fail", None: "skip"}[passed],
                                     "measured": measured, "reference": reference, "tolerance": tolerance,
                                     "reason": reason}))

    def record(self, verdict) -> None:
        """A ``gate.verdicts.Verdict``: the same fields ``add_verdict`` takes."""
        row = verdict.to_row()
        self.add_verdict(verdict.backend, verdict.image, verdict.check, verdict.passed, row["measured"],
                         row["reference"], row["tolerance"], reason=row["reason"])

    def add_perf(self, row: dict) -> None:
        self.perf.append(_clean(row))

    def to_wire(self) -> str:
        return json.dumps({"measurements": self.measurements, "verdicts": self.verdicts, "perf": self.perf,
                           "meta": self.meta})

    def merge_wire(self, text: str) -> None:
        data = json.loads(text)
        for key, values in data["measurements"].items():
            self.measurements.setdefault(key, {}).update(values)
        seen = {(v["backend"], v["image"], v["check"]) for v in data["verdicts"]}
        self.verdicts = [v for v in self.verdicts if (v["backend"], v["image"], v["check"]) not in seen]
        self.verdicts.extend(data["verdicts"])
        self.perf.extend(data["perf"])
        for key, value in data["meta"].items():
            if isinstance(value, dict) and isinstance(self.meta.get(key), dict):
                self.meta[key] = {**value, **self.meta[key]}
            else:
                self.meta.setdefault(key, value)

    def document(self) -> dict:
        rows = []
        for key in sorted(self.measurements):
            row = dict(self.measurements[key])
            row["verdicts"] = {v["check"]: v["verdict"] for v in self.verdicts
                               if v["backend"] == row["backend"] and v["image"] == row["image"]}
            rows.append(row)
        summary = [v for v in self.verdicts if v["image"] is None]
        return {
            "schema": "srcnn-gate/results/1",
            "meta": {**self.meta, "python": sys.version.split()[0], "platform": platform.platform()},
            "images": rows,
            "dataset_verdicts": sorted(summary, key=lambda v: (v["backend"], v["check"])),
            "verdicts": sorted(self.verdicts, key=lambda v: (v["backend"], v["image"] or "", v["check"])),
            "perf": sorted(
                self.perf, key=lambda r: (r.get("target", ""), r.get("backend", ""), r.get("batch_size", 0))
            ),
        }

    def write(self, path: Path) -> None:
        atomic_write_text(Path(path), json.dumps(self.document(), indent=2, sort_keys=False) + "\n")
