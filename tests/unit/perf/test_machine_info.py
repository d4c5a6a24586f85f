"""The machine beside every figure: pytest-benchmark's machine_info / commit_info keys, and the suite's own."""
from __future__ import annotations

from srcnn_support.perf.machine_info import (
    commit_info,
    describe_machine,
    machine_info,
    memory_total_bytes,
    physical_cores,
)

TWO_SOCKETS_WITH_SMT = "".join(
    f"processor\t: {n}\nphysical id\t: {n // 4}\ncore id\t\t: {n % 2}\nflags\t\t: avx2\n\n" for n in range(8))


def test_physical_cores_count_distinct_cores_per_package_not_hyperthreads():
    assert physical_cores(TWO_SOCKETS_WITH_SMT) == 4
    assert physical_cores("processor\t: 0\n") is None


def test_memory_is_read_from_meminfo_in_bytes():
    assert memory_total_bytes("MemTotal:       24682416 kB\nMemFree: 1 kB\n") == 24682416 * 1024
    assert memory_total_bytes("nothing here\n") is None


def test_machine_info_has_pytest_benchmarks_keys_and_the_suites_facts():
    info = machine_info()
    for key in ("node", "processor", "machine", "python_version", "python_implementation", "release", "system", "cpu"):
        assert key in info
    own = info["srcnn_gate"]
    assert own["logical_cores"] >= own["usable_cores"] >= 1 and own["memory_total_bytes"] > 0
    assert own["isa_class"] in ("vnni", "avx2", "baseline") and own["isa"].startswith(own["isa_class"])
    assert own["runtimes"]["onnxruntime"] and own["runtimes"]["torch"].startswith("2.13.0")
    assert "onnxruntime intra-op" in own["threads"]


def test_commit_info_names_the_suites_checkout_and_the_weights():
    info = commit_info({"md5": "e0a9e64cf1f9016d7013e0b01f613f68", "sha256": "s" * 64})
    assert {"id", "time", "author_time", "dirty", "project", "branch"} <= set(info)
    assert info["weights_md5"] == "e0a9e64cf1f9016d7013e0b01f613f68" and info["project"] == "srcnn-gate"


def test_the_report_header_line_names_cpu_cores_threads_memory_versions_commit_and_weights():
    line = describe_machine(machine_info(), {"id": "0123456789abcdef", "dirty": True, "weights_md5": "abc"})
    own = machine_info()["srcnn_gate"]
    for part in (own["cpu_model"], f"{own['logical_cores']} logical cores", "threads: onnxruntime intra-op",
                 f"memory {own['memory']}", f"onnxruntime {own['runtimes']['onnxruntime']}",
                 "commit `0123456789ab` (modified)", "weights md5 `abc`"):
        assert part in line
    assert describe_machine({}, None).startswith("Measured on: not recorded")
