"""The diagnosis that a failing accuracy check carries in its message and the report shows beside it.

Computed at most once per backend (or recorded run), only when one of its checks fails: the
hypotheses cost one network pass per hypothesis and image, which a passing run never pays.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.diagnose.explain import Diagnosis, diagnose_outputs, hypotheses_for


def dumps_from_guide_outputs(guide_outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A backend run the guide's way, as its dump files would hold it (file order = transposed)."""
    return {name: np.ascontiguousarray(plane.T) for name, plane in guide_outputs.items()}


class FailureDiagnoses:
    def __init__(self, weights: Path, files: list[Path], causes: dict) -> None:
        self.weights = Path(weights)
        self.files = {Path(f).stem: Path(f) for f in files}
        self.causes = causes  # the results recorder's ``meta.diagnosis``: the report and RELEASE line read it
        self._hypotheses: tuple[dict, dict] | None = None
        self._done: dict[str, Diagnosis] = {}

    def diagnose(self, label: str, dumps: dict[str, np.ndarray], dtype: str = "float32") -> Diagnosis:
        if label not in self._done:
            if self._hypotheses is None:
                self._hypotheses = hypotheses_for(self.weights, list(self.files.values()))
            expected, inputs = self._hypotheses
            names = [n for n in dumps if n in expected]
            diagnosis = diagnose_outputs({n: dumps[n] for n in names}, expected, inputs, dtype)
            self._done[label] = diagnosis
            self.causes[label] = {
                "cause": diagnosis.cause, "summary": diagnosis.summary(),
                "images": {v.image: v.cause for v in diagnosis.images}}
        return self._done[label]

    def message(self, label: str, dumps: dict[str, np.ndarray], image: str | None = None,
                dtype: str = "float32") -> str:
        """One paragraph for a failure message: the cause, and the failing image's own line."""
        diagnosis = self.diagnose(label, dumps, dtype)
        lines = [diagnosis.summary()]
        lines += [v.line() for v in diagnosis.images if v.image == image]
        return "\n".join(lines)


def failure_explainer(accuracy, backend: str):
    """The porting mistake that reproduces this backend's outputs, for a failing check's message (image or all)."""
    if accuracy.diagnoses is None:
        return None
    return lambda image: accuracy.diagnoses.message(backend, dumps_from_guide_outputs(accuracy.outcome(backend).guide),
                                                    image)
