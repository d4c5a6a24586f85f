"""``--benchmark-json`` names the machine and the code, also under xdist.

pytest-benchmark fills ``machine_info`` and ``commit_info`` through its hooks (``hookspec.py``:
``pytest_benchmark_update_machine_info``, ``pytest_benchmark_update_commit_info``); the suite adds its own facts
there. Under xdist pytest-benchmark disables itself and writes no file (``session.py`` ``handle_saving`` returns
when there are no benchmarks), so a CI job running ``-n 2`` lost the file and the machine with it. The
controller then writes the file itself, in pytest-benchmark's layout, with one entry per perf row the suite
timed, and says so in ``srcnn_gate.written_by``.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from importlib import metadata

import pytest

from srcnn_support.atomic import atomic_write_text
from srcnn_support.perf.machine_info import commit_info, machine_info

STAT_FIELDS = {"min": "latency_min_ms", "max": "latency_max_ms", "mean": "latency_mean_ms",
               "stddev": "latency_stddev_ms", "median": "latency_median_ms"}


def _weights(config: pytest.Config) -> dict:
    from srcnn_support.errors import SrcnnGateError
    from srcnn_support.model.network import identify_weights
    from srcnn_support.plugin.session import session_of

    try:
        weights = identify_weights(session_of(config).gate.weights)
    except (SrcnnGateError, pytest.UsageError):
        return {}
    return {"md5": weights.md5, "sha256": weights.sha256}


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:
    machine_info["srcnn_gate"] = _machine()["srcnn_gate"]


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_update_commit_info(config: pytest.Config, commit_info: dict) -> None:
    # pytest-benchmark describes the git checkout of the folder pytest runs in, which may not be the suite's
    commit_info["srcnn_gate"] = commit_info_of(config)
    commit_info["weights_md5"] = commit_info["srcnn_gate"].get("weights_md5")


def _machine() -> dict:
    return machine_info()


def commit_info_of(config: pytest.Config) -> dict:
    return commit_info(_weights(config))


def benchmark_entry(row: dict) -> dict:
    """A perf row as a pytest-benchmark ``benchmarks[]`` entry: seconds per call, as pytest-benchmark stores."""
    name = f"{row.get('target')}/{row.get('backend')}/bs{row.get('batch_size')}"
    stats = {key: (row[field] / 1000 if row.get(field) is not None else None) for key, field in STAT_FIELDS.items()}
    stats["rounds"], stats["iterations"] = row.get("latency_rounds") or row.get("latency_samples"), 1
    stats["ops"] = 1 / stats["mean"] if stats.get("mean") else None
    extra = {key: row.get(key) for key in ("target", "backend", "precision", "batch_size", "fps", "gflops", "device",
                                            "verdict", "timer", "latency_cv", "contended", "unstable", "cold_start",
                                            "speedup", "speedup_over") if row.get(key) is not None}
    return {"group": row.get("target"), "name": name, "fullname": f"srcnn-gate perf row {name}",
            "params": {"batch_size": row.get("batch_size")}, "param": f"bs{row.get('batch_size')}",
            "extra_info": extra, "options": {"timer": row.get("timer")}, "stats": stats}


def write_when_pytest_benchmark_did_not(config: pytest.Config, perf_rows: list[dict]) -> str | None:
    """Writes ``--benchmark-json`` from the suite's rows where pytest-benchmark wrote nothing; the path, or None."""
    path = getattr(config.option, "benchmark_json", None)
    benchmark_session = getattr(config, "_benchmarksession", None)
    if not path or benchmark_session is None or benchmark_session.benchmarks:
        return None
    try:
        version = metadata.version("pytest-benchmark")
    except metadata.PackageNotFoundError:
        version = "unknown"
    why = "xdist" if getattr(benchmark_session, "xdist_warning", False) else "--benchmark-disable or no timed test"
    document = {
        "machine_info": {**_plain_machine_info(), "srcnn_gate": _machine()["srcnn_gate"]},
        "commit_info": commit_info_of(config), "benchmarks": [benchmark_entry(row) for row in perf_rows],
        "datetime": datetime.now(timezone.utc).isoformat(), "version": version,
        "srcnn_gate": {"written_by": f"srcnn-gate: pytest-benchmark wrote no file ({why}); each entry is a perf row "
                                     "timed by the suite's own loop (results JSON 'perf')"},
    }
    atomic_write_text(path, json.dumps(document, indent=4, default=str) + "\n")
    return str(path)


def _plain_machine_info() -> dict:
    return {key: value for key, value in _machine().items() if key != "srcnn_gate"}
