"""Perf tests hold the host-wide timing lock for their whole body, so no two of them time at once: not two xdist
workers, not two pytest runs on one machine (``perf/contention.py``)."""
from __future__ import annotations

import pytest

from srcnn_support.perf.contention import host_timing_lock


@pytest.fixture
def alone_on_host():
    with host_timing_lock() as waited_s:
        yield waited_s
