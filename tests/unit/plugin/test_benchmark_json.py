"""--benchmark-json from the suite's rows where pytest-benchmark wrote none (xdist), in pytest-benchmark's layout."""
from __future__ import annotations

import json
from types import SimpleNamespace

from srcnn_support.perf.method import LatencyStats, throughput_figures
from srcnn_support.plugin.benchmark_json import benchmark_entry, write_when_pytest_benchmark_did_not


def _row() -> dict:
    stats = LatencyStats.from_seconds([0.050, 0.052, 0.049, 0.051, 0.050])
    return {"target": "cpu", "backend": "onnxruntime", "precision": "fp32", "batch_size": 1, "device": 0,
            "timer": "suite timing loop", "verdict": "pass", **throughput_figures(1, stats),
            "cold_start": {"ready_s": 0.3}}


def test_a_perf_row_becomes_a_benchmark_entry_in_seconds():
    entry = benchmark_entry(_row())
    assert entry["name"] == "cpu/onnxruntime/bs1" and entry["group"] == "cpu"
    stats = entry["stats"]
    assert abs(stats["mean"] - 0.0504) < 1e-9 and stats["min"] == 0.049 and stats["max"] == 0.052
    assert stats["rounds"] == 5 and abs(stats["ops"] - 1 / 0.0504) < 1e-6
    assert entry["extra_info"]["fps"] == _row()["fps"] and entry["extra_info"]["cold_start"] == {"ready_s": 0.3}


def _config(path, benchmarks, xdist):
    option = SimpleNamespace(benchmark_json=path)
    return SimpleNamespace(option=option, _benchmarksession=SimpleNamespace(benchmarks=benchmarks,
                                                                            xdist_warning=xdist))


def test_written_under_xdist_with_machine_and_commit(tmp_path, monkeypatch):
    monkeypatch.setattr("srcnn_support.plugin.benchmark_json._weights", lambda config: {"md5": "abc", "sha256": "d"})
    path = tmp_path / "benchmark.json"
    assert write_when_pytest_benchmark_did_not(_config(path, [], True), [_row()]) == str(path)
    written = json.loads(path.read_text())
    assert written["machine_info"]["srcnn_gate"]["cpu_model"] and written["machine_info"]["python_version"]
    assert written["commit_info"]["weights_md5"] == "abc" and written["commit_info"]["id"]
    assert [b["name"] for b in written["benchmarks"]] == ["cpu/onnxruntime/bs1"]
    assert "(xdist)" in written["srcnn_gate"]["written_by"]


def test_left_to_pytest_benchmark_when_it_timed_something_or_no_file_was_asked(tmp_path):
    path = tmp_path / "benchmark.json"
    assert write_when_pytest_benchmark_did_not(_config(path, ["a benchmark"], False), [_row()]) is None
    assert write_when_pytest_benchmark_did_not(_config(None, [], True), [_row()]) is None
    assert not path.exists()
