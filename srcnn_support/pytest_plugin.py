"""pytest plugin of the srcnn-gate suite: the module pytest loads; its parts live in ``srcnn_support/plugin/``.

Installed as a ``pytest11`` entry point (see pyproject.toml) rather than living in conftest.py:
pytest picks its rootdir and initial conftests from the path-like arguments on the command line,
so ``pytest -m accuracy --dataset-dir ../shared/data/Set5`` would otherwise make pytest look for
configuration under ``../shared`` and never see these options. An entry point is loaded wherever
the paths point, though only after pytest has chosen its rootdir: ``plugin/cmdline.py`` makes the
space form of the path options give the rootdir the ``=`` form gives. The work itself is done by the library.
"""
from srcnn_support.plugin.baseline import accepted_release, throughput_vs_accepted
from srcnn_support.plugin.benchmark_json import (
    pytest_benchmark_update_commit_info,
    pytest_benchmark_update_machine_info,
)
from srcnn_support.plugin.cmdline import pytest_cmdline_main, pytest_load_initial_conftests
from srcnn_support.plugin.fixtures import (
    accuracy,
    artifact_cache,
    configured_target,
    gate,
    perf_runner,
    perf_target,
    perf_variant_runner,
    prepared,
    recorder,
    weights_identity,
)
from srcnn_support.plugin.hooks import (
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_report_header,
    pytest_runtest_protocol,
    pytest_sessionfinish,
    pytest_sessionstart,
    pytest_terminal_summary,
    pytest_testnodedown,
)
from srcnn_support.plugin.options import pytest_addoption
from srcnn_support.plugin.parametrize import pytest_generate_tests
from srcnn_support.plugin.timing import alone_on_host

__all__ = [
    "accuracy", "artifact_cache", "configured_target", "gate", "perf_runner", "perf_target", "perf_variant_runner",
    "prepared", "recorder", "weights_identity", "accepted_release", "throughput_vs_accepted", "alone_on_host",
    "pytest_addoption", "pytest_cmdline_main", "pytest_collection_modifyitems", "pytest_configure",
    "pytest_generate_tests", "pytest_load_initial_conftests", "pytest_report_header", "pytest_runtest_protocol",
    "pytest_sessionfinish", "pytest_sessionstart", "pytest_terminal_summary", "pytest_testnodedown",
    "pytest_benchmark_update_commit_info", "pytest_benchmark_update_machine_info",
]
