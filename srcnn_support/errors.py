"""One exception type for every bad input the suite can meet.

The CLI prints ``str(error)`` as a single line and exits non-zero; pytest shows the same text.
Each message names the file (or object) and the problem so the user never needs a traceback.
"""
from __future__ import annotations

from pathlib import Path


class SrcnnGateError(Exception):
    """A user-facing failure: bad file, missing tool, malformed data."""

    def __init__(self, subject: str | Path | None, problem: str) -> None:
        self.subject = str(subject) if subject is not None else None
        self.problem = problem
        super().__init__(f"{self.subject}: {problem}" if self.subject else problem)


class MissingRuntimeError(SrcnnGateError):
    """A backend or tool is not installed here; gates turn this into a skip naming what is missing."""
