"""``--perf-log`` and ``--dump-dir`` given together must be one run of one model: the figures of one model and the
outputs of another would release neither. Decided on the model file names the tools write
(``perf/recorded_models.py``); where a file names none, the link is said to be unchecked, not assumed."""
from __future__ import annotations

from pathlib import Path

from srcnn_support.gate.verdicts import CheckRecord
from srcnn_support.perf.recorded_models import model_named_by_dump_dir, model_named_by_log

CHECK = "perf_log_and_dump_dir_one_model"


def perf_log_and_dump_dir_check(subject: str, perf_logs: list[Path], dump_dir: Path) -> CheckRecord:
    dumped, where = model_named_by_dump_dir(dump_dir)
    logged = {Path(log).name: model_named_by_log(log) for log in perf_logs}
    silent = [name for name, model in logged.items() if model is None]
    if dumped is None or silent:
        why = where if dumped is None else f"{', '.join(silent)} name(s) no model"
        return CheckRecord(subject, None, CHECK, None, reason=f"the perf log / dump dir link could not be checked: "
                                                               f"{why}")
    other = {name: model for name, model in logged.items() if model != dumped}
    passed = not other
    message = (f"{dump_dir} holds outputs of {dumped} ({where}) but "
               + "; ".join(f"{name} timed {model}" for name, model in other.items()))
    return CheckRecord(subject, None, CHECK, passed, tolerance=f"one model: {dumped}",
                       reason=None if passed else message, explanation="" if passed else message)
