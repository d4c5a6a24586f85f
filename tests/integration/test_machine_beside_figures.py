"""The machine and the code beside every figure, under xdist too: the results JSON, the report header and
--benchmark-json (pytest-benchmark writes none under xdist) name CPU, cores, threads, memory, versions, commit
and weights (one pytest subprocess with -n 2)."""
import json
import os
import subprocess
import sys

import pytest

from srcnn_support.model.network import identify_weights
from srcnn_support.prepare.datasets import sample_photos
from tests.conftest import ROOT, WEIGHTS

pytestmark = pytest.mark.slow


def test_under_xdist_every_output_names_the_machine_and_the_commit(tmp_path):
    artifacts = tmp_path / "artifacts"
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "astronaut.png").symlink_to(sample_photos().files[0])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2", "-m", "accuracy",
         "-k", "pytorch and bicubic", f"--dataset-dir={photos}", f"--weights={WEIGHTS}", f"--artifacts-dir={artifacts}",
         f"--results-json={artifacts / 'results.json'}", f"--benchmark-json={artifacts / 'benchmark.json'}",
         "tests/gates/test_accuracy.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"srcnn-gate benchmark JSON: {artifacts / 'benchmark.json'}" in result.stdout
    results = json.loads((artifacts / "results.json").read_text())
    benchmark = json.loads((artifacts / "benchmark.json").read_text())
    md5 = identify_weights(WEIGHTS).md5
    for document in (results, benchmark):
        own = document["machine_info"]["srcnn_gate"]
        assert own["cpu_model"] and own["logical_cores"] >= 1 and own["memory_total_bytes"] > 0
        assert "torch" in own["runtimes"] and "onnxruntime intra-op" in own["threads"]
        assert document["machine_info"]["python_version"] == sys.version.split()[0]
        assert document["commit_info"]["weights_md5"] == md5 and document["commit_info"]["id"]
    assert benchmark["benchmarks"] == [] and "(xdist)" in benchmark["srcnn_gate"]["written_by"]
    report = (artifacts / "report.md").read_text()
    assert f"Measured on: {results['machine_info']['srcnn_gate']['cpu_model']}" in report
    assert f"weights md5 `{md5}`" in report
