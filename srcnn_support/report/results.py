"""Collecting what the gates measured and decided, and writing it as one JSON document.

Every decision is a ``CheckRecord`` kept here under its key, with the test that made it; a test that
failed without recording a failed check is kept too. Under pytest-xdist each worker ships its records
to the controller, which merges them, so the document is the same whether the run used one process or
several. ``document()`` computes the RELEASE line once, from the document's own ``checks``.
"""
from __future__ import annotations

import json
import math
import platform
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

from srcnn_support.atomic import atomic_write_text
from srcnn_support.gate.release_verdict import release_verdict
from srcnn_support.gate.verdicts import CheckRecord, failed_test_record


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


@dataclass
class RunMeta:
    """What a run was made of, by name; the results JSON writes the fields that were set."""

    weights: str | None = None
    weights_md5: str | None = None
    weights_sha256: str | None = None
    weights_loaded_as: str | None = None
    dataset: str | None = None
    given_artifacts: list = field(default_factory=list)
    diagnosis: dict = field(default_factory=dict)  # subject -> the porting mistake its outputs reproduce
    layers: dict = field(default_factory=dict)  # backend -> its layer-by-layer comparison with PyTorch (layers/)
    per_card: list = field(default_factory=list)  # card figures the controller formed over the chips
    cpu_peak: str | None = None
    cpu_int8_class: str | None = None
    cpu_peak_bf16: str | None = None  # the bf16 matmul peak behind a bf16 runtime's share, where the CPU has bf16
    full_size: dict = field(default_factory=dict)  # backend -> full-size summary
    run: dict = field(default_factory=dict)  # id, start time and command of this run
    not_decided: list = field(default_factory=list)  # why whole groups of checks were not made
    machine: dict = field(default_factory=dict)  # the fingerprint release-to-release comparisons need
    suite: dict = field(default_factory=dict)  # the suite's version and commit
    baseline: dict = field(default_factory=dict)  # the accepted release this run was compared with, or why none
    size_cost: list = field(default_factory=list)  # --sizes: cost against image size per backend (recorded only)
    runtime_peers: list = field(default_factory=list)  # every CPU runtime, timed interleaved (recorded only)
    cpu_fastest: dict = field(default_factory=dict)  # the fastest exact and reduced runtime in that table

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, [], {})}

    def merge(self, values: dict) -> None:
        """A worker's meta: dicts are united, unset fields taken."""
        for name, value in values.items():
            mine = getattr(self, name)
            if isinstance(mine, dict):
                mine.update({k: v for k, v in value.items() if k not in mine})
            elif isinstance(mine, list):
                mine.extend(v for v in value if v not in mine)
            elif mine is None:
                setattr(self, name, value)


@dataclass
class ResultsRecorder:
    measurements: dict[str, dict] = field(default_factory=dict)  # "backend/image" -> scores
    checks: dict[tuple, CheckRecord] = field(default_factory=dict)
    perf: list[dict] = field(default_factory=list)
    meta: RunMeta = field(default_factory=RunMeta)
    failed_tests: dict[str, tuple[str, str]] = field(default_factory=dict)  # nodeid -> (phase, message)
    current_test: str | None = None  # set by the plugin around each test: records name their test
    gate_tests: int = 0  # accuracy and perf tests run (on every worker)
    tests_with_failed_checks: set[str] = field(default_factory=set)  # a broken backend fails many tests, one check

    def add_measurement(self, backend: str, image: str, values: dict) -> None:
        self.measurements.setdefault(f"{backend}/{image}", {"backend": backend, "image": image}).update(_clean(values))

    def add_verdict(self, backend: str, image: str | None, check: str, passed: bool | None, measured=None,
                    reference=None, tolerance: str | None = None, reason: str | None = None) -> None:
        self.record(CheckRecord(backend, image, check, passed, measured, reference, tolerance, reason))

    def record(self, check: CheckRecord) -> CheckRecord:
        check = check.with_test(self.current_test)
        self.checks[check.key] = check
        if check.passed is False and check.test:
            self.tests_with_failed_checks.add(check.test)
        return check

    @property
    def verdicts(self) -> list[dict]:
        """The accuracy checks (no perf target) as result rows."""
        return [_clean(c.to_row()) for c in self.checks.values() if c.target is None]

    def add_perf(self, row: dict) -> None:
        """A perf row and the checks it carries; rows that share a check (one card's chips) share its record."""
        self.perf.append(_clean(row))
        target, subject = row.get("target"), f"{row.get('target')}/{row.get('backend')}"
        for check_row in row.get("checks") or ():
            self.record(CheckRecord.from_row({**check_row, "target": target}))
        if row.get("verdict") == "broken":
            self.record(CheckRecord(subject, None, "runtime", False, reason=row.get("gate"), target=target,
                                    batch_size=row.get("batch_size"), explanation=row.get("gate") or ""))
        elif not row.get("checks"):
            self.record(CheckRecord(subject, None, "throughput", None, row.get("fps"), target=target,
                                    batch_size=row.get("batch_size"), reason="recorded only: no threshold"))

    def add_test_failure(self, nodeid: str, phase: str, message: str) -> None:
        self.failed_tests.setdefault(nodeid, (phase, message))

    def to_wire(self) -> str:
        return json.dumps({"measurements": self.measurements, "checks": [c.as_dict() for c in self.checks.values()],
                           "perf": self.perf, "meta": self.meta.as_dict(),
                           "tests_with_failed_checks": sorted(self.tests_with_failed_checks),
                           "gate_tests": self.gate_tests})

    def merge_wire(self, text: str) -> None:
        data = json.loads(text)
        for key, values in data["measurements"].items():
            self.measurements.setdefault(key, {}).update(values)
        for values in data["checks"]:
            check = CheckRecord(**values)
            self.checks[check.key] = check
        self.perf.extend(data["perf"])
        self.meta.merge(data["meta"])
        self.tests_with_failed_checks.update(data["tests_with_failed_checks"])
        self.gate_tests += data["gate_tests"]

    def all_checks(self) -> list[CheckRecord]:
        """Every decision, plus one failed record per failed test that recorded no failed check itself."""
        records = list(self.checks.values())
        failing_tests = self.tests_with_failed_checks | {c.test for c in records if c.passed is False}
        records += [failed_test_record(nodeid, phase, message)
                    for nodeid, (phase, message) in self.failed_tests.items() if nodeid not in failing_tests]
        return records

    def document(self) -> dict:
        verdicts = self.verdicts
        rows = []
        for key in sorted(self.measurements):
            row = dict(self.measurements[key])
            row["verdicts"] = {v["check"]: v["verdict"] for v in verdicts
                               if v["backend"] == row["backend"] and v["image"] == row["image"]}
            rows.append(row)
        summary = [v for v in verdicts if v["image"] is None]
        checks = [_clean(c.to_row()) for c in self.all_checks()]
        causes = {subject: d.get("cause") for subject, d in self.meta.diagnosis.items()}
        release = release_verdict(checks, self.meta.not_decided, causes)
        return {
            "schema": "srcnn-gate/results/1",
            "release": release.as_dict(),
            "meta": {**self.meta.as_dict(), "python": sys.version.split()[0], "platform": platform.platform()},
            "images": rows,
            "dataset_verdicts": sorted(summary, key=lambda v: (v["backend"], v["check"])),
            "verdicts": sorted(verdicts, key=lambda v: (v["backend"], v["image"] or "", v["check"])),
            "perf": sorted(
                self.perf, key=lambda r: (r.get("target", ""), r.get("backend", ""), r.get("batch_size", 0))
            ),
            "checks": sorted(checks, key=lambda c: (c.get("target") or "", c["backend"], c["image"] or "",
                                                    c["check"], c.get("batch_size") or 0)),
        }

    def write(self, path: Path, document: dict | None = None) -> None:
        atomic_write_text(Path(path), json.dumps(document or self.document(), indent=2, sort_keys=False) + "\n")
