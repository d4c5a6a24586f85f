"""How a recorded-only measurement ends its test: recorded in the results and the report, shown as not decided.

A batch size with no threshold (e.g. bs4/8/32 on the cpu target) is measured and its row recorded, but no
check decides it, so its test must not read PASSED: it skips, naming where the figures went.
"""
from __future__ import annotations

import pytest

RECORDED = "recorded"


def end_if_recorded_only(row: dict) -> None:
    if row.get("verdict") == RECORDED:
        pytest.skip(f"{row.get('target')}/{row.get('backend')}/bs{row.get('batch_size')}: recorded only "
                    "(no threshold at this batch size); its figures are in the results JSON and the report")
