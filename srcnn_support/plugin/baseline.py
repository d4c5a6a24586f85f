"""``--baseline STORE``: the last accepted release, and the perf rows' comparison with it.

Without a usable baseline the comparisons are not made and the reason is said (a skip, counted as not decided);
``--require-baseline`` makes that a failure, for the CI job of a release branch.
"""
from __future__ import annotations

import pytest

from srcnn_support.gate.config import GateConfig
from srcnn_support.gate.verdicts import CheckRecord
from srcnn_support.release.fingerprint import machine_fingerprint
from srcnn_support.release.store import AcceptedRelease, latest_or_reason


def baseline_or_reason(gate: GateConfig) -> tuple[AcceptedRelease | None, str | None]:
    return latest_or_reason(gate.baseline)


@pytest.fixture(scope="session")
def accepted_release(gate: GateConfig) -> AcceptedRelease:
    """The release this run is compared with; the comparison tests skip (or fail, --require-baseline) without it."""
    release, reason = baseline_or_reason(gate)
    if release is None:
        if gate.require_baseline:
            pytest.fail(f"--require-baseline: {reason}", pytrace=False)
        pytest.skip(reason)
    return release


@pytest.fixture(scope="session")
def throughput_vs_accepted(gate: GateConfig):
    """``check(row)``: the row gets the machine it was measured on, and its comparison with the accepted release
    (None when there is none to compare with and none is required)."""
    from srcnn_support.release.compare import throughput_vs_accepted as compare

    release, reason = baseline_or_reason(gate)

    def check(row: dict) -> CheckRecord | None:
        row.setdefault("machine", machine_fingerprint())  # a recorded log's row names its own
        if release is not None:
            return compare(row, release)
        if gate.require_baseline:
            subject = f"{row.get('target')}/{row.get('backend')}"
            return CheckRecord(subject, None, "throughput_vs_accepted", False, reason=f"--require-baseline: {reason}",
                               explanation=f"--require-baseline: {reason}", batch_size=row.get("batch_size"),
                               target=row.get("target"))
        return None

    return check
