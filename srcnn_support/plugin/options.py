"""The suite's command-line options and its markers (declared here only; pytest.ini does not repeat them)."""
from __future__ import annotations

import pytest

from srcnn_support.convert.atc import DEFAULT_PRECISION_MODE

MARKERS = {
    "accuracy": "release gate: per-image PSNR within 1% of the reference, every backend",
    "perf": "release gate: throughput on the --target hardware (pytest-benchmark)",
    "contract": "a tool's file contract exercised against a clearly named emulator",
    "slow": "takes more than a few seconds (subprocesses, kills, large images)",
}


def register_markers(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if pluginmanager.is_blocked("cacheprovider"):  # -p no:cacheprovider: pytest.ini's cache_dir has no reader
        parser.addini("cache_dir", "pytest's cache folder (unused: the cache plugin is disabled)")
    group = parser.getgroup("srcnn-gate")
    group.addoption("--weights", help="SRCNN x2 weights (.pth state dict); default: the project's own trained weights")
    group.addoption("--dataset-dir",
                    help="folder of HR images (e.g. Set5); default: $SRCNN_DATASET_DIR, else bundled samples")
    group.addoption("--dataset", help="set5 | set14 | bsd68 (under --data-root) or a folder")
    group.addoption("--data-root", help="folder holding Set5/Set14/BSD68 (default: $SRCNN_DATA_ROOT or ../shared/data)")
    group.addoption("--target", default="cpu", help="perf target from fixtures/targets.json (default: cpu)")
    group.addoption("--require-target", action="store_true",
                    help="fail instead of skip when the target hardware is missing")
    group.addoption("--devices", help="comma-separated device ids, one per xdist worker (e.g. 0,1,2,3)")
    group.addoption("--artifacts-dir",
                    help="artifact cache and report folder (default: $SRCNN_ARTIFACTS_DIR or .srcnn-artifacts)")
    group.addoption("--results-json", help="write per-image, per-backend results here")
    group.addoption("--sizes", metavar="N,N,...",
                    help="with -m perf: record images/s, MPix/s and peak memory of every CPU backend at these square "
                         "sizes (e.g. 64,256,1024) and on the dataset's full-size images; recorded, not gated")
    group.addoption("--soc-version", help="ATC --soc_version (default: read from 'npu-smi info')")
    group.addoption("--calibration-dir", help="INT8 calibration images (default: <data root>/train; never test images)")
    group.addoption("--om", action="append", metavar="[B=]PATH",
                    help="gate your own .om instead of building one with ATC (repeatable, one per batch size; "
                         "B=PATH or a name holding _bs<B>)")
    group.addoption("--perf-log", action="append", metavar="FILE",
                    help="gate a recorded tool run instead of this machine (repeatable): perf_vision_*.txt, "
                         "PureInfer_perf_of_*.txt, an ais_bench/ais_infer summary or a trtexec log")
    group.addoption("--onnx", help="gate this ONNX model (the one being released) instead of exporting one from "
                    "--weights, which stays the live reference; its sha256 goes in the report")
    group.addoption("--precision-mode", default=DEFAULT_PRECISION_MODE,
                    help="ATC --precision_mode (ATC's own default is fp16)")
    group.addoption("--dump-dir", help="a recorded device run's outputs (e.g. result/dumpOutput_device0) to gate "
                    "against the live reference (tests/gates/test_recorded_run.py)")
    group.addoption("--baseline", metavar="STORE",
                    help="gate against the last release accepted into STORE ('python -m srcnn_support accept'): "
                         "quality per image and backend, output bits, throughput on the same machine")
    group.addoption("--require-baseline", action="store_true",
                    help="fail instead of skip when --baseline is missing, empty or unreadable")
