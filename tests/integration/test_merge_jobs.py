"""A CI matrix's verdict: an accuracy job and a perf job run on this machine, merged into one results document,
one report and one RELEASE line; runs of other weights refused, a check decided both ways a failure."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SET5

pytestmark = pytest.mark.slow

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _job(artifacts, *selection):
    dataset = [f"--dataset-dir={SET5}"] if SET5.is_dir() else []
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *selection, *dataset,
                             f"--artifacts-dir={artifacts}"], cwd=ROOT, env=ENV, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-3000:]
    return json.loads((artifacts / "run.json").read_text())


def _merge(out, *paths):
    return subprocess.run([sys.executable, "-m", "srcnn_support", "merge", f"--out={out}", *map(str, paths)],
                          cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def jobs(tmp_path_factory):
    work = tmp_path_factory.mktemp("matrix")
    accuracy = _job(work / "accuracy", "-m", "accuracy", "-k",
                    "onnxruntime and not int8 and not fp16 and (bicubic or live_reference)")
    perf = _job(work / "perf", "-m", "perf", "-k", "harness and bs1")
    return work, accuracy, perf


def test_two_jobs_merge_into_one_release_line_and_report(jobs, tmp_path):
    work, accuracy, perf = jobs
    merged = _merge(tmp_path / "release", work / "accuracy", work / "perf")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    document = json.loads((tmp_path / "release" / "results.json").read_text())
    decided = accuracy["release"]["passed"] + perf["release"]["passed"]
    assert document["release"]["headline"].startswith(f"RELEASE PASS: {decided} of {decided} checks passed")
    assert len(document["checks"]) == len(accuracy["checks"]) + len(perf["checks"])
    assert document["images"] == accuracy["images"] and document["perf"] == perf["perf"]
    report = (tmp_path / "release" / "report.md").read_text()
    assert report.splitlines()[0] == document["release"]["headline"]
    assert "| cpu |" in report and "Runs merged" in report
    assert merged.stdout.splitlines()[-2] == document["release"]["headline"]


def test_a_check_the_jobs_decide_differently_fails_the_merged_release(jobs, tmp_path):
    work, accuracy, _ = jobs
    flipped = json.loads(json.dumps(accuracy))
    row = next(c for c in flipped["checks"] if c["verdict"] == "pass")
    row["verdict"] = "fail"
    (tmp_path / "rerun.json").write_text(json.dumps(flipped))
    merged = _merge(tmp_path / "release", work / "accuracy", tmp_path / "rerun.json")
    assert merged.returncode == 1
    document = json.loads((tmp_path / "release" / "results.json").read_text())
    assert document["release"]["headline"].startswith(f"RELEASE FAIL: 1 of {len(accuracy['checks']) + 1} checks "
                                                      f"failed: {row['check']} (merge conflict): 1 (")
    (conflict,) = [c for c in document["checks"] if c["verdict"] == "fail"]
    assert conflict["reason"] == (f"the jobs disagree: pass in {work / 'accuracy' / 'run.json'}, "
                                  f"fail in {tmp_path / 'rerun.json'}")


def test_runs_of_other_weights_are_not_merged(jobs, tmp_path):
    work, accuracy, _ = jobs
    other = json.loads(json.dumps(accuracy))
    other["meta"]["weights_sha256"] = "0" * 64
    (tmp_path / "other.json").write_text(json.dumps(other))
    merged = _merge(tmp_path / "release", work / "accuracy", tmp_path / "other.json")
    assert merged.returncode == 2 and not (tmp_path / "release").exists()
    assert merged.stderr.strip() == (f"error: {tmp_path / 'other.json'}: gates other weights than "
                                     f"{work / 'accuracy' / 'run.json'} (sha256 0000000000000000 vs "
                                     f"{accuracy['meta']['weights_sha256'][:16]}): runs of different releases are "
                                     "not merged")
