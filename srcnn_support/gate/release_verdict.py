"""The one line a release manager reads first: RELEASE PASS or FAIL, the counts, each failing check named.

It is computed from the same records the tables are drawn from (the accuracy verdicts, the perf rows
and the per-card figures of every report part), so the headline and the tables cannot disagree.
Skipped and recorded-only measurements are counted apart: they decide nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReleaseVerdict:
    passed: int
    failed: tuple[str, ...]
    undecided: int = 0  # skipped checks and recorded-only measurements
    sources: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return not self.failed and self.passed > 0

    def headline(self) -> str:
        total = self.passed + len(self.failed)
        tail = f" ({self.undecided} skipped or recorded only)" if self.undecided else ""
        if not total:
            return f"RELEASE FAIL: no check was decided{tail}"
        if self.failed:
            return (f"RELEASE FAIL: {len(self.failed)} of {total} checks failed{tail}: " + "; ".join(self.failed))
        return f"RELEASE PASS: {self.passed} of {total} checks passed{tail}"


def _accuracy_check_name(verdict: dict) -> str:
    if verdict["check"] == "runtime":
        return f"{verdict['backend']}: backend broken"
    return f"{verdict['backend']}/{verdict.get('image') or 'mean'}: {verdict['check']}"


def _perf_check_name(row: dict) -> str:
    return f"{row['target']}/{row['backend']}/bs{row['batch_size']}: {row.get('gate') or 'throughput'}"


@dataclass
class _Tally:
    passed: int = 0
    undecided: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, verdict: str | None, name: str) -> None:
        if verdict == "pass":
            self.passed += 1
        elif verdict in ("fail", "broken"):
            self.failed.append(name)
        else:
            self.undecided += 1


def release_verdict(documents: list[dict]) -> ReleaseVerdict:
    """Every decided check in ``documents`` (results documents or report parts)."""
    tally, seen_checks = _Tally(), set()
    for doc in documents:
        for verdict in doc.get("verdicts", []):
            tally.add(verdict["verdict"], _accuracy_check_name(verdict))
        for row in doc.get("perf", []):
            if not row.get("checks"):  # a recorded-only or broken row, or a row written before checks were listed
                tally.add(row.get("verdict"), _perf_check_name(row))
            for check in row.get("checks") or ():
                key = (check["backend"], check["check"], check.get("batch_size"))
                if key not in seen_checks:  # the rows of one recorded run share its card check: count it once
                    seen_checks.add(key)
                    tally.add(check["verdict"], f"{check['backend']}/bs{check.get('batch_size')}: "
                                                f"{check.get('tolerance') or check['check']}")
        for card in doc.get("meta", {}).get("per_card", []):
            if card.get("decided_by") != "test" and card.get("verdict") in ("pass", "fail"):  # else counted above
                tally.add(card["verdict"], f"{card['target']}/bs{card['batch_size']}: "
                                           f"per-card {card['fps_per_card']:.3f} images/s")
    return ReleaseVerdict(tally.passed, tuple(dict.fromkeys(tally.failed)), tally.undecided)
