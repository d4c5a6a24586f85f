"""Issue 21 "must show": a runner that returns zeros quickly fails the perf gate on the timed loop's outputs, though
its figure beats every throughput bar (the double is injected by a plugin module, in the test, never the gates)."""
import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

ZEROS_FAST = """
import numpy as np
from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
def infer_impl(self, batch):
    return np.zeros_like(batch)
OnnxRuntimeRunner.infer_impl = infer_impl
"""


def test_a_runner_returning_zeros_fast_fails_the_timed_output_check(tmp_path):
    (tmp_path / "zeros_fast.py").write_text(ZEROS_FAST)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "zeros_fast", "-q",
                             "-m", "perf", "-k", "harness and bs1", f"--artifacts-dir={tmp_path / 'art'}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stdout[-3000:]
    checks = json.loads((tmp_path / "art" / "run.json").read_text())["checks"]
    failed = [c for c in checks if c["verdict"] == "fail"]
    # "-k bs1" selects bs16 too: both gated sizes fail on what they timed, and on nothing else
    assert [(c["check"], c["batch_size"]) for c in failed] == [("outputs_while_timed", 1),
                                                              ("outputs_while_timed", 16)], json.dumps(failed, indent=1)
    assert re.search(r"cpu/onnxruntime/bs1: the output of timed call \d+ is not what the accuracy path computes "
                     r"for the same input \(max-abs 0\.98", result.stdout)
    bs1 = next(r for r in json.loads((tmp_path / "art" / "run.json").read_text())["perf"] if r["batch_size"] == 1)
    assert bs1["fps"] > 1000  # fast indeed: 30 times what the real model does here, and it still fails
