"""Verdicts as library objects: a check's outcome, true or false, with what was measured against what.

Tests assert on them; the results JSON, the report and the release verdict read the same fields
(``to_row``), so a recorded run or the CLI can apply a check without going through a test.
"""
from __future__ import annotations

from dataclasses import dataclass

from srcnn_support.score.evaluate import relative_deviation


@dataclass(frozen=True)
class Verdict:
    backend: str
    image: str | None  # None: a check over the whole dataset
    check: str
    passed: bool | None  # None: not decided here (skipped, with the reason)
    measured: float | None = None
    reference: float | None = None
    tolerance: str | None = None
    reason: str | None = None
    explanation: str = ""  # the assertion message when it fails
    batch_size: int | None = None  # throughput checks: the batch size decided

    def __bool__(self) -> bool:
        return bool(self.passed)

    def to_row(self) -> dict:
        row = {"backend": self.backend, "image": self.image, "check": self.check,
               "verdict": {True: "pass", False: "fail", None: "skip"}[self.passed], "measured": self.measured,
               "reference": self.reference, "tolerance": self.tolerance, "reason": self.reason}
        return row if self.batch_size is None else {**row, "batch_size": self.batch_size}


def relative_check(backend: str, image: str | None, check: str, measured: float, reference: float,
                   tolerance: float, explain=None) -> Verdict:
    """The guide's rule: ``|measured - reference| / reference <= tolerance`` (PSNR in dB)."""
    deviation = relative_deviation(measured, reference)
    passed = deviation <= tolerance
    reason = explain() if explain and not passed else None
    message = (f"{image or 'mean'}/{backend}: {check}: measured {measured:.4f} dB vs reference "
               f"{reference:.4f} dB, deviation {deviation:.3%} > tolerance {tolerance:.0%}"
               + (f"\n{reason}" if reason else ""))
    return Verdict(backend, image, check, passed, measured, reference, f"{tolerance:.0%} relative", reason, message)
