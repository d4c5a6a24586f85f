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


def release_verdict(documents: list[dict]) -> ReleaseVerdict:
    """Every decided check in ``documents`` (results documents or report parts)."""
    passed, undecided, failed = 0, 0, []
    for doc in documents:
        for verdict in doc.get("verdicts", []):
            if verdict["verdict"] == "pass":
                passed += 1
            elif verdict["verdict"] == "fail":
                failed.append(_accuracy_check_name(verdict))
            else:
                undecided += 1
        for row in doc.get("perf", []):
            if row.get("verdict") == "pass":
                passed += 1
            elif row.get("verdict") in ("fail", "broken"):
                failed.append(_perf_check_name(row))
            else:
                undecided += 1
        for card in doc.get("meta", {}).get("per_card", []):
            if card.get("verdict") == "pass":
                passed += 1
            elif card.get("verdict") == "fail":
                failed.append(f"{card['target']}/bs{card['batch_size']}: per-card {card['fps_per_card']:.3f} images/s")
    return ReleaseVerdict(passed, tuple(dict.fromkeys(failed)), undecided)
