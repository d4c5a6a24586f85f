"""The throughput rules, each a function returning a ``CheckRecord``, and the one per-card rule (docs/decisions/0003).

The live gates (harness-timed, tool-figure and CUDA-event targets), the recorded-run gate and the
CLI's ``gate-perf`` all decide through ``throughput_checks`` and ``speedup_check``, so a threshold
is compared in exactly one place. ``PerfDecision`` turns a batch size's checks into the perf row's
``gate`` and ``verdict`` fields that the report and the release verdict read.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from srcnn_support.gate.targets import Gate, SpeedupThreshold, Target
from srcnn_support.gate.verdicts import CheckRecord

NOT_GATED = "recorded"  # the row's verdict when no check decided it: measured and kept, not gated


def per_card(figures_per_chip: list[float], chips_per_card: int) -> tuple[float, str]:
    """Sum measured chips; with fewer chips than the card holds, scale as the guide does (x chips)."""
    if not figures_per_chip:
        return math.nan, "no measurement"
    if len(figures_per_chip) >= chips_per_card:
        return sum(figures_per_chip[:chips_per_card]), f"sum of {chips_per_card} measured chips"
    mean_chip = statistics.fmean(figures_per_chip)
    return mean_chip * chips_per_card, (f"mean of {len(figures_per_chip)} measured chip(s) x {chips_per_card} "
                                        "(the guide's per-card estimate)")


def min_fps_check(subject: str, batch_size: int, fps: float, gate: Gate, figure: str = "") -> CheckRecord:
    """``fps >= min_fps x (1 - tolerance)``; ``figure`` names what was measured (e.g. "compute")."""
    threshold = gate.threshold()
    what = f"{figure} " if figure else ""
    passed = fps >= threshold  # NaN fails
    message = f"{subject}/bs{batch_size}: {what}{fps:.3f} fps < {threshold:.3f} fps ({gate.provenance})"
    return CheckRecord(subject, None, "min_fps", passed, fps, threshold, f"{what}>= {threshold:.3f} fps",
                   explanation=message, batch_size=batch_size)


def per_card_check(subject: str, batch_size: int, card_fps: float, how: str, gate: Gate) -> CheckRecord:
    """The guide's card figure must beat the threshold (strictly: the T4's figure is the bar to beat)."""
    threshold = gate.threshold()
    passed = card_fps > threshold
    message = (f"{subject}/bs{batch_size}: per-card {card_fps:.3f} fps ({how}) does not beat {threshold:.3f} fps "
               f"({gate.provenance})")
    return CheckRecord(subject, None, "min_fps_per_card", passed, card_fps, threshold,
                       f"per card > {threshold:.3f} fps",
                   reason=how, explanation=message, batch_size=batch_size)


def per_card_deferred(subject: str, batch_size: int, chips: int, devices, gate: Gate) -> CheckRecord:
    """Every chip of the card is measured in this run: the controller decides on their sum at the end."""
    threshold = gate.threshold()
    how = f"card gated on the sum over --devices {','.join(map(str, devices))}"
    return CheckRecord(subject, None, "min_fps_per_card", None, None, threshold,
                   f"per card > {threshold:.3f} fps on the sum of {chips} chips (end of run)", reason=how,
                   batch_size=batch_size)


def per_card_vs_reference_check(subject: str, batch_size: int, card_fps: float, how: str, gate: Gate,
                                reference: tuple[float, str] | None) -> CheckRecord:
    """The card must beat another machine's figure at the same batch size, read from its tool's log, when given."""
    if reference is None:
        return CheckRecord(subject, None, gate.kind, None, card_fps, None, None,
                           reason=f"not gated: no {gate.reference_tool} log at batch {batch_size} given with "
                                  f"--perf-log ({gate.provenance})", batch_size=batch_size)
    bar, source = reference
    passed = card_fps > bar
    message = (f"{subject}/bs{batch_size}: per-card {card_fps:.3f} fps ({how}) does not beat {bar:.3f} fps "
               f"from {source}")
    return CheckRecord(subject, None, gate.kind, passed, card_fps, bar, f"per card > {bar:.3f} fps ({source})",
                       reason=how, explanation=message, batch_size=batch_size)


def bare_runtime_check(subject: str, batch_size: int, ratio: float, interval: tuple[float, float],
                       gate: Gate) -> CheckRecord:
    """The harness may not slow the runtime down: fails only when the ratio's 95% interval lies wholly below."""
    low, high = interval
    passed = not high < gate.min_ratio
    message = (f"{subject}/bs{batch_size}: harness throughput is {ratio:.3f} x the bare session.run loop "
               f"(95% interval {low:.3f}-{high:.3f}, wholly below {gate.min_ratio})")
    return CheckRecord(subject, None, "min_ratio_to_bare_runtime", passed, ratio, gate.min_ratio,
                   f">= {gate.min_ratio} x bare session.run", explanation=message, batch_size=batch_size)


def unsupported_gate(subject: str, batch_size: int, gate: Gate, figure: str) -> CheckRecord:
    message = f"{subject}/bs{batch_size}: gate kind {gate.kind!r} cannot be applied to {figure}"
    return CheckRecord(subject, None, gate.kind, False, tolerance=gate.kind, explanation=message, batch_size=batch_size)


def throughput_checks(target: Target, subject: str, batch_size: int, chip_fps: float, *, card_fps: float | None = None,
                      card_how: str = "", bare_ratio: tuple[float, tuple[float, float]] | None = None,
                      card_deferred_to: tuple[int, ...] = (), figure: str = "",
                      reference: tuple[float, str] | None = None) -> list[CheckRecord]:
    """Every gate ``target`` sets at ``batch_size``, applied to one chip's figure (and the card's, when it has one).

    ``bare_ratio`` is (ratio, 95% interval) of harness over bare runtime, measured only for targets that gate it;
    ``reference`` is (images/s, source) of the machine a ``min_fps_per_card_vs_reference`` gate compares with.
    """
    checks = []
    for gate in target.gates_for(batch_size):
        if gate.kind == "min_fps":
            checks.append(min_fps_check(subject, batch_size, chip_fps, gate, figure))
        elif gate.kind == "min_fps_per_card" and card_deferred_to:
            checks.append(per_card_deferred(subject, batch_size, len(card_deferred_to), card_deferred_to, gate))
        elif gate.kind == "min_fps_per_card":
            value, how = (card_fps, card_how) if card_fps is not None else per_card([chip_fps], target.chips_per_card)
            checks.append(per_card_check(subject, batch_size, value, how, gate))
        elif gate.kind == "min_fps_per_card_vs_reference":
            value, how = (card_fps, card_how) if card_fps is not None else per_card([chip_fps], target.chips_per_card)
            checks.append(per_card_vs_reference_check(subject, batch_size, value, how, gate, reference))
        elif gate.kind == "min_ratio_to_bare_runtime" and bare_ratio is not None:
            checks.append(bare_runtime_check(subject, batch_size, bare_ratio[0], bare_ratio[1], gate))
        else:
            checks.append(unsupported_gate(subject, batch_size, gate, figure or "this figure"))
    return checks


def speedup_check(subject: str, batch_size: int, speedup: float, threshold: SpeedupThreshold | None, cpu_class: str,
                  base: str) -> CheckRecord:
    """A variant (e.g. INT8) against the target's own backend, same session; a CPU class with no threshold records."""
    if threshold is None:
        return CheckRecord(subject, None, "min_speedup", None, speedup, None, None,
                       reason=f"no threshold for a {cpu_class} CPU", batch_size=batch_size)
    passed = speedup >= threshold.min_speedup
    message = (f"{subject}/bs{batch_size}: {speedup:.2f} x the {base} throughput < {threshold.min_speedup} "
               f"on a {cpu_class} CPU ({threshold.provenance})")
    return CheckRecord(subject, None, "min_speedup", passed, speedup, threshold.min_speedup,
                   f">= {threshold.min_speedup} x {base} ({cpu_class} CPU)", explanation=message, batch_size=batch_size)


@dataclass(frozen=True)
class PerfDecision:
    """A batch size's checks: true when none failed; recorded only when none decided."""

    checks: tuple[CheckRecord, ...]

    def __bool__(self) -> bool:
        return not self.failed

    @property
    def failed(self) -> list[CheckRecord]:
        return [c for c in self.checks if c.passed is False]

    @property
    def decided(self) -> bool:
        return any(c.passed is not None for c in self.checks)

    @property
    def verdict(self) -> str:
        return "fail" if self.failed else ("pass" if self.decided else NOT_GATED)

    @property
    def gate_text(self) -> str | None:
        return "; ".join(c.tolerance for c in self.checks if c.tolerance) or None

    def message(self) -> str:
        return "; ".join(c.explanation for c in self.failed)

    def row_fields(self) -> dict:
        """What a perf row carries: the gate's text, its verdict, and each check as the results JSON writes it."""
        fields = {"gate": self.gate_text, "verdict": self.verdict, "checks": [c.to_row() for c in self.checks]}
        not_decided = [c.reason for c in self.checks if c.passed is None and c.reason]
        return {**fields, "not_gated_because": "; ".join(dict.fromkeys(not_decided))} if not_decided else fields


def decide(checks) -> PerfDecision:
    return PerfDecision(tuple(checks))


def per_card_rows(rows: list[dict], targets: dict[str, Target]) -> list[dict]:
    """Each card's figure over the chips a run measured, for the report and the terminal summary.

    Only cards whose per-chip tests deferred the check (every chip of the card measured in this run)
    are decided here (``decided_by: controller``); a test that measured one chip, or a recorded run,
    already decided its card with the same rule, and its row says so (``decided_by: test``).
    """
    groups: dict[tuple[str, int], dict[int, float]] = {}
    deferred: set[tuple[str, int]] = set()
    detected: dict[str, int] = {}
    for row in rows:
        if row.get("fps") is None or row["target"] not in targets:
            continue
        key = (row["target"], row["batch_size"])
        groups.setdefault(key, {})[row.get("device", 0)] = row["fps"]
        if row.get("card_deferred"):
            deferred.add(key)
        if row.get("chips_per_card"):  # the product npu-smi detected outranks targets.json
            detected[row["target"]] = row["chips_per_card"]
    result = []
    for (name, batch), by_device in sorted(groups.items()):
        target = targets[name]
        chips = detected.get(name, target.chips_per_card)
        if chips <= 1:
            continue
        value, how = per_card([by_device[d] for d in sorted(by_device)], chips)
        gates = [g for g in target.gates_for(batch) if g.kind == "min_fps_per_card"]
        check = per_card_check(name, batch, value, how, gates[0]) if gates else None
        result.append({"target": name, "batch_size": batch, "devices": sorted(by_device), "fps_per_card": value,
                       "how": how, "threshold": check.reference if check is not None else None,
                       "verdict": NOT_GATED if check is None else ("pass" if check else "fail"),
                       "decided_by": "controller" if (name, batch) in deferred else "test"})
    return result
