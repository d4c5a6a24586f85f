"""tools/device_check.sh, checked where there is no GPU.

On a lent GPU machine the project runs from a checkout (no pip install, so no pytest11 entry point)
on that machine's own Python; the script loads the plugin with ``-p``. Here that is imitated with
``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``, loading only the third-party plugins the GPU machine has.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from xml.etree import ElementTree

import pytest

from srcnn_support.backends.torch_cuda import missing_torch_cuda
from tests.conftest import ROOT

SCRIPT = ROOT / "tools" / "device_check.sh"
TIME_BOUND_S = 240  # the script must finish in under 5 minutes on the GPU machine; skipping is far quicker


def test_script_is_valid_bash():
    assert shutil.which("bash"), "bash is needed to run tools/device_check.sh"
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True, timeout=30)


@pytest.mark.slow
@pytest.mark.skipif(missing_torch_cuda() is None, reason="a GPU is visible: this test is about the no-GPU path")
def test_script_without_gpu_ends_in_named_skips(tmp_path):
    # The GPU machine's Python has no matplotlib and may have no filelock: both are made unimportable.
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nsys.modules['matplotlib'] = None\nsys.modules['filelock'] = None\n"
    )
    out = tmp_path / "out"
    env = {**os.environ, "OUT": str(out), "PYTHON": sys.executable, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
           "PYTEST_ADDOPTS": "-p pytest_benchmark.plugin -p xdist.plugin", "PYTHONPATH": str(blocker)}
    started = time.monotonic()
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=TIME_BOUND_S,
                          cwd=tmp_path)
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert elapsed < TIME_BOUND_S
    for target in ("cuda", "hopper"):
        counts = _junit_counts(out / target / "junit.xml")
        assert counts["skipped"] == counts["tests"] and counts["failures"] == 0, (target, counts)  # nothing measured
    self_check = _junit_counts(out / "runner-junit.xml")
    assert self_check["failures"] == self_check["errors"] == 0 and self_check["skipped"] > 0
    assert "torch.cuda.is_available() is False" in output
    assert "RELEASE UNDECIDED: no check was decided" in output and "perf target hopper is not on this machine" in output
    assert "no GPU figures" in (out / "summary.txt").read_text()


def _junit_counts(path) -> dict[str, int]:
    suite = ElementTree.parse(path).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    return {key: int(suite.get(key)) for key in ("tests", "skipped", "failures", "errors")}
