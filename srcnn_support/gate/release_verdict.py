"""The one line a release manager reads first: RELEASE PASS, FAIL or UNDECIDED, the counts, the failures grouped.

It is computed once per run, from the ``checks`` of the results document (every ``CheckRecord`` the run
made, failed tests included), and stored in the document as ``release``; the terminal, report.md,
report.html and the CLI print that stored line, so they cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from srcnn_support.gate.verdicts import CheckRecord

SHOWN_WHY = 160  # characters of a lone failure's own message on the line
SHOWN_GROUPS = 8  # a banner names the worst groups; the report's tables list every failure


@dataclass(frozen=True)
class ReleaseVerdict:
    passed: int
    failed: tuple[CheckRecord, ...]
    undecided: int = 0  # skipped checks and recorded-only measurements
    why_undecided: tuple[str, ...] = field(default=())  # what kept checks from being decided
    causes: dict = field(default_factory=dict)  # subject -> the diagnosed porting mistake

    def __bool__(self) -> bool:
        return self.status == "PASS"

    @property
    def status(self) -> str:
        if self.failed:
            return "FAIL"
        return "PASS" if self.passed else "UNDECIDED"

    def groups(self) -> list[str]:
        """Failures grouped by check and cause: "standard_psnr_beats_bicubic: 15 (3 backends x 5 images)"."""
        grouped: dict[tuple[str, str | None], list[CheckRecord]] = {}
        for record in self.failed:
            cause = self.causes.get(record.backend)
            grouped.setdefault((record.check, cause if cause != "ok" else None), []).append(record)
        lines = []
        for (check, cause), records in sorted(grouped.items(), key=lambda item: -len(item[1])):
            subjects = sorted({r.backend for r in records})
            scopes = sorted({r.image or (f"bs{r.batch_size}" if r.batch_size is not None else
                                         ("all" if r.target else "mean")) for r in records})
            spread = _count(len(scopes), "image") if records[0].image else ", ".join(scopes)
            if len(records) == 1:
                why = (records[0].explanation or records[0].reason or "").split("\n")[0]
                where = f"{subjects[0]}/{scopes[0]}" + (f": {why[:SHOWN_WHY]}" if why else "")
            else:
                who = subjects[0] if len(subjects) == 1 else _count(len(subjects), "backend")
                where = f"{who} x {spread}" if records[0].image else f"{who}, {spread}"
            lines.append(f"{check}: {len(records)} ({where}{f'; cause: {cause}' if cause else ''})")
        return lines

    def headline(self) -> str:
        decided = self.passed + len(self.failed)
        tail = f" ({self.undecided} not decided)" if self.undecided else ""
        if self.failed:
            groups = self.groups()
            more = f"; and {len(groups) - SHOWN_GROUPS} more" if len(groups) > SHOWN_GROUPS else ""
            return (f"RELEASE FAIL: {len(self.failed)} of {decided} checks failed{tail}: "
                    + "; ".join(groups[:SHOWN_GROUPS]) + more)
        if self.passed:
            return f"RELEASE PASS: {self.passed} of {decided} checks passed{tail}"
        why = "; ".join(self.why_undecided[:3]) or "no test made a check"
        return f"RELEASE UNDECIDED: no check was decided{tail}: {why}"

    def as_dict(self) -> dict:
        return {"status": self.status, "headline": self.headline(), "passed": self.passed,
                "failed": len(self.failed), "undecided": self.undecided, "failed_groups": self.groups(),
                "why_undecided": list(self.why_undecided)}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def release_verdict(check_rows: list[dict], why_undecided=(), causes: dict | None = None) -> ReleaseVerdict:
    """Every check of a results document (``document["checks"]``), each counted once by its key."""
    records = {}
    for row in check_rows:
        record = CheckRecord.from_row(row)
        records[record.key] = record
    passed = sum(1 for r in records.values() if r.passed is True)
    failed = tuple(r for r in records.values() if r.passed is False)
    undecided = [r for r in records.values() if r.passed is None]
    counted = list(why_undecided)  # a skip reason with its count, "<reason> (N tests skipped)", says it once
    reasons = [r.reason for r in undecided if r.reason and not any(w.startswith(f"{r.reason} (") for w in counted)]
    reasons += counted
    return ReleaseVerdict(passed, failed, len(undecided), tuple(dict.fromkeys(reasons)), causes or {})


def headline_of(document: dict) -> str:
    """The stored line of a results document (or report part); documents written before it existed are recounted."""
    release = document.get("release")
    if release and release.get("headline"):
        return release["headline"]
    return release_verdict(document.get("checks", [])).headline()
