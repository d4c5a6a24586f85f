"""Every decision as one typed record, from the rule that makes it to the report that shows it.

A ``CheckRecord`` is what a rule returns (true, false, or not decided), what the recorder keeps,
what the results JSON writes (``to_row``) and reads back (``from_row``), and what the RELEASE line
counts. Tests assert on the record; the CLI prints it; nothing re-derives a verdict from figures.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from srcnn_support.score.evaluate import relative_deviation

OUTCOME = {True: "pass", False: "fail", None: "skip"}
PASSED = {"pass": True, "fail": False, "broken": False}


@dataclass(frozen=True)
class CheckRecord:
    backend: str  # the subject: a backend, a recorded run, or "target/backend[/devN]" for throughput
    image: str | None  # None: a check over the whole dataset
    check: str
    passed: bool | None  # None: not decided here (skipped or recorded only, with the reason)
    measured: float | None = None
    reference: float | None = None
    tolerance: str | None = None
    reason: str | None = None
    explanation: str = ""  # the assertion message when it fails
    batch_size: int | None = None  # throughput checks: the batch size decided
    target: str | None = None  # throughput checks: the perf target
    test: str | None = None  # the pytest node that decided it (None outside pytest)

    def __post_init__(self) -> None:
        # a rule fed numpy scalars returns numpy.bool_ / float64: the record stays plain, so it goes through JSON
        if self.passed is not None:
            object.__setattr__(self, "passed", bool(self.passed))
        for name in ("measured", "reference"):
            value = getattr(self, name)
            if value is not None and type(value) not in (int, float, str):
                object.__setattr__(self, name, float(value))

    def __bool__(self) -> bool:
        return bool(self.passed)

    @property
    def outcome(self) -> str:
        return OUTCOME[self.passed]

    @property
    def key(self) -> tuple:
        """Two records with one key are one decision (e.g. the card check shared by a recorded run's chips)."""
        return self.target, self.backend, self.image, self.check, self.batch_size

    @property
    def name(self) -> str:
        scope = f"/bs{self.batch_size}" if self.batch_size is not None else f"/{self.image or 'mean'}"
        return f"{self.backend}{scope}: {self.check}"

    def to_row(self) -> dict:
        row = {"backend": self.backend, "image": self.image, "check": self.check, "verdict": self.outcome,
               "measured": self.measured, "reference": self.reference, "tolerance": self.tolerance,
               "reason": self.reason}
        for optional in ("batch_size", "target", "test"):
            if getattr(self, optional) is not None:
                row[optional] = getattr(self, optional)
        if self.passed is False and self.explanation:
            row["explanation"] = self.explanation
        return row

    @classmethod
    def from_row(cls, row: dict) -> CheckRecord:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in row.items() if k in known}
        values["passed"] = PASSED.get(row.get("verdict"))
        values.setdefault("explanation", "")
        return cls(**values)

    def with_test(self, nodeid: str | None) -> CheckRecord:
        return self if self.test or not nodeid else replace(self, test=nodeid)

    def as_dict(self) -> dict:
        return asdict(self)


def relative_check(backend: str, image: str | None, check: str, measured: float, reference: float,
                   tolerance: float, explain=None, against: str = "", context: str = "") -> CheckRecord:
    """The guide's rule: ``|measured - reference| / reference <= tolerance`` (PSNR in dB).

    ``against`` names the reference in the tolerance ("of PyTorch run the guide's way"); ``context`` is a fact
    a reader of a failure needs beside the figures (the layout effect)."""
    deviation = relative_deviation(measured, reference)
    passed = deviation <= tolerance
    reason = explain() if explain and not passed else None
    message = (f"{image or 'mean'}/{backend}: {check}: measured {measured:.4f} dB vs reference "
               f"{reference:.4f} dB, deviation {deviation:.3%} > tolerance {tolerance:.0%}"
               + (f" ({context})" if context else "") + (f"\n{reason}" if reason else ""))
    return CheckRecord(backend, image, check, passed, measured, reference,
                       f"{tolerance:.0%} relative" + (f" {against}" if against else ""), reason, message)


def failed_test_record(nodeid: str, when: str, message: str) -> CheckRecord:
    """A test that failed (or a fixture that errored) without recording a failed check still fails the release."""
    function, _, params = nodeid.rsplit("::", 1)[-1].partition("[")
    what = "test failed" if when == "call" else f"error in {when}"
    return CheckRecord(params.rstrip("]") or "suite", None, f"{function} ({what})", False,
                       reason=message, explanation=message, test=nodeid)
