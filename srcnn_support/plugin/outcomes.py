"""How a test ends: a measurement no check decided, a failure or skip as the RELEASE line counts it, tests set aside.

A batch size with no threshold (e.g. bs4/8/32 on the cpu target) is measured and its row recorded, but no
check decides it, so its test must not read PASSED: it skips, naming where the figures went.
"""
from __future__ import annotations

import pytest

from srcnn_support.gate.perf_rules import NOT_GATED


def end_if_not_gated(row: dict) -> None:
    if row.get("verdict") == NOT_GATED:
        why = row.get("not_gated_because") or "no threshold at this batch size"
        pytest.skip(f"{row.get('target')}/{row.get('backend')}/bs{row.get('batch_size')}: recorded only "
                    f"({why}); its figures are in the results JSON and the report")


def failure_message(report) -> str:
    """The line pytest shows for a failure (the assertion or ``pytest.fail`` text), without the traceback."""
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    text = getattr(crash, "message", None) or str(getattr(report, "longrepr", "") or "failed")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return (lines[0] if lines else "failed")[:300]


def skip_reason(report) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return text.removeprefix("Skipped: ")


def set_not_applicable_aside(config, items: list) -> None:
    """A test with no case for this run (no variant on this target, no recorded run given) is not a skip to read
    past: pytest's empty parameter set, the recorded-run tests without ``--perf-log`` and the cost-against-size
    tests without ``--sizes`` are deselected."""
    from srcnn_support.plugin.session import session_of

    no_logs = not session_of(config).gate.perf_logs
    no_sizes = not session_of(config).gate.sizes
    empty = [item for item in items
             if any(str(mark.kwargs.get("reason", "")).startswith("got empty parameter set")
                    for mark in item.iter_markers("skip"))
             or (no_logs and "recorded_logs" in getattr(item, "fixturenames", ()))
             or (no_sizes and "image_sizes" in getattr(item, "fixturenames", ()))]
    if empty:
        items[:] = [item for item in items if item not in empty]
        config.hook.pytest_deselected(items=empty)
        names = sorted({item.originalname if hasattr(item, "originalname") else item.name for item in empty})
        session_of(config).set_aside.append(f"{len(empty)} test(s) with no case on this run: {', '.join(names)}")


def set_missing_target_aside(state, items: list) -> None:
    """Tests that need the target's hardware, on a machine without it, are set aside once, not failed or
    skipped one by one: one record says what is missing; ``--require-target`` makes it a failure."""
    from srcnn_support.backends.factory import missing_backend_runtime
    from srcnn_support.gate.targets import missing_hardware
    from srcnn_support.gate.verdicts import CheckRecord

    needing = [item for item in items if "perf_target" in getattr(item, "fixturenames", ())]
    gate = state.gate
    target = state.perf_target_or_none()
    if not needing or target is None or state.recorded_run_given():
        return
    reasons = (missing_hardware(target), missing_backend_runtime(target.backend, given_om=bool(gate.given_om)))
    reason = "; ".join(dict.fromkeys(r for r in reasons if r))
    if not reason:
        return
    items[:] = [item for item in items if item not in needing]
    state.config.hook.pytest_deselected(items=needing)
    what = f"perf target {target.name} is not on this machine: {reason}"
    passed, tail = (False, " (--require-target)") if gate.require_target else (None, "")
    state.recorder.record(CheckRecord(target.name, None, "target hardware present", passed, target=target.name,
                                      reason=f"{what}; {len(needing)} perf test(s) not run{tail}",
                                      explanation=f"{what}{tail}"))


INT8_BACKEND = "onnxruntime-int8"
INT8_ONLY_TESTS = ("test_int8_calibration_images_are_not_test_images",)


def set_missing_calibration_aside(state, items: list) -> None:
    """No INT8 calibration folder anywhere the suite looked: the INT8 tests are set aside once, every place looked
    named on one line of the summary, not skipped one by one with the same reason."""
    from srcnn_support.prepare.datasets import calibration_not_found

    gate = state.gate
    if gate.calibration_dir is not None or not gate.calibration_looked:
        return
    needing = [item for item in items if _uses_int8(item)]
    if needing:
        items[:] = [item for item in items if item not in needing]
        state.config.hook.pytest_deselected(items=needing)
        state.set_aside.append(f"{len(needing)} INT8 test(s): {INT8_BACKEND}: "
                               f"{calibration_not_found(gate.calibration_looked)}")


def _uses_int8(item) -> bool:
    """A test parametrised with the INT8 backend (by name, or a perf variant of it), or one about INT8 alone."""
    if getattr(item, "originalname", item.name) in INT8_ONLY_TESTS:
        return True
    for value in getattr(getattr(item, "callspec", None), "params", {}).values():
        parts = value if isinstance(value, tuple) else (value,)
        if any(part == INT8_BACKEND if isinstance(part, str) else getattr(part, "backend", None) == INT8_BACKEND
               for part in parts):
            return True
    return False
