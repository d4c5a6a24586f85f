"""Test parametrisation from the run's configuration: backends, batch sizes, variants, devices, images."""
from __future__ import annotations

import pytest

from srcnn_support.backends.registry import ACCURACY_BACKENDS
from srcnn_support.plugin.session import session_of


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    session = session_of(metafunc.config)
    if "backend" in metafunc.fixturenames and not _parametrized_by_test(metafunc, "backend"):
        metafunc.parametrize("backend", ACCURACY_BACKENDS, scope="session")
    if "perf_measurement" in metafunc.fixturenames:  # first, so ids read harness-bs1-dev0
        target = session.perf_target_or_none()
        kinds = [target.measurement] if target else []
        metafunc.parametrize("perf_measurement", kinds, ids=kinds or None, scope="session")
    if "perf_recorded_backend" in metafunc.fixturenames:
        target = session.perf_target_or_none()
        backends = list(target.recorded_backends) if target else []
        metafunc.parametrize("perf_recorded_backend", backends, ids=backends or None, scope="session")
    if "perf_batch_size" in metafunc.fixturenames:
        target = session.perf_target_or_none()
        sizes = target.batch_sizes if target else (1,)
        metafunc.parametrize("perf_batch_size", sizes, ids=[f"bs{b}" for b in sizes], scope="session")
    if "perf_variant" in metafunc.fixturenames:
        target = session.perf_target_or_none()
        cases = [(v, b) for v in (target.variants if target else ()) for b in v.batch_sizes]
        metafunc.parametrize("perf_variant", cases, ids=[f"{v.backend}-bs{b}" for v, b in cases] or None,
                             scope="session")
    if "recorded_batch_size" in metafunc.fixturenames:  # one test per batch size of a recorded device run
        target = session.perf_target_or_none()
        sizes = list(target.batch_sizes) if target and session.recorded_run_given() else []
        metafunc.parametrize("recorded_batch_size", sizes, ids=[f"bs{b}" for b in sizes] or None, scope="session")
    if "perf_device" in metafunc.fixturenames:
        devices = session.gate.devices or (0,)
        metafunc.parametrize("perf_device", [pytest.param(d, marks=pytest.mark.xdist_group(f"device{d}"))
                                             for d in devices], ids=[f"dev{d}" for d in devices], scope="session")
    if "image_name" in metafunc.fixturenames:
        metafunc.parametrize("image_name", session.gate.dataset.names, scope="session")


def _parametrized_by_test(metafunc: pytest.Metafunc, name: str) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        if name in names:
            return True
    return False
