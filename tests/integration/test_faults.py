"""When a backend or a tool breaks: hung, crashed and failing tools, a disk that fills up mid-build,
a backend that raises, and a run stopped by SIGTERM."""
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from srcnn_support.backends.ascend import AscendOmRunner
from srcnn_support.cache import MANIFEST, ArtifactCache
from srcnn_support.convert import artifacts
from srcnn_support.errors import SrcnnGateError
from srcnn_support.tools import TIMEOUT_ENV, ToolError, run_tool
from tests.conftest import ROOT, WEIGHTS


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_hung_tool_is_killed_with_its_children(tmp_path):
    pid_file = tmp_path / "child.pid"
    tool = _script(tmp_path / "atc", f"sleep 300 & echo $! > {pid_file}; echo converting; wait")
    started = time.monotonic()
    with pytest.raises(ToolError, match=r"atc: hung: no result after 1 s, killed with its children \(converting"):
        run_tool([str(tool)], timeout_s=1)
    assert time.monotonic() - started < 30
    child = int(pid_file.read_text())
    for _ in range(50):
        if not _alive(child):
            break
        time.sleep(0.1)
    assert not _alive(child), "the tool's own child outlived the timeout"


def test_crashed_tool_names_the_signal(tmp_path):
    tool = _script(tmp_path / "benchmark", "echo loading model >&2; kill -SEGV $$")
    with pytest.raises(ToolError, match=r"benchmark: crashed \(SIGSEGV\): loading model"):
        run_tool([str(tool)], timeout_s=30)


def test_failing_and_absent_tools_are_one_line_errors(tmp_path):
    tool = _script(tmp_path / "trtexec", "echo '[E] Error[4]: network has no inputs' >&2; exit 3")
    with pytest.raises(ToolError, match=r"trtexec: exited with 3: \[E\] Error\[4\]: network has no inputs"):
        run_tool([str(tool)], timeout_s=30)
    with pytest.raises(ToolError, match="cannot be started"):
        run_tool([str(tmp_path / "absent-tool")], timeout_s=30)


def test_hung_benchmark_fails_the_ascend_backend_with_the_cause(tmp_path, monkeypatch):
    _script(tmp_path / "benchmark", "sleep 300")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(TIMEOUT_ENV, "1")
    runner = AscendOmRunner(tmp_path / "srcnn_x2_bs1.om", batch_size=1)
    with runner, pytest.raises(ToolError, match="benchmark: hung: no result after 1 s"):
        runner.infer(np.zeros((1, 1, 8, 8), dtype=np.float32))


@pytest.fixture
def tiny_disk(tmp_path):
    """A real file system that fills up: a 128 KiB tmpfs (the ONNX model alone is ~230 KB)."""
    mount_point = tmp_path / "tiny-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here to fill up ({mounted.stderr.strip() or 'not root'})")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def test_disk_full_mid_build_caches_nothing_and_the_next_run_rebuilds(tiny_disk):
    cache = ArtifactCache(tiny_disk / "cache")
    with pytest.raises(SrcnnGateError, match=r"cache/onnx: No space left on device while building the onnx artifact"):
        artifacts.onnx_model(cache, WEIGHTS, None)
    leftovers = [p.name for p in (tiny_disk / "cache" / "onnx").iterdir() if not p.name.endswith(".lock")]
    assert leftovers == [], f"half-built artifact left behind: {leftovers}"
    subprocess.run(["mount", "-o", "remount,size=8m", str(tiny_disk)], check=True)
    rebuilt = ArtifactCache(tiny_disk / "cache")
    model = artifacts.onnx_model(rebuilt, WEIGHTS, None)
    assert model.is_file() and (model.parent / MANIFEST).is_file() and len(rebuilt.stats.built) == 1


def _run_gate_with_a_faulty_backend(tmp_path, backend: str, *args: str) -> subprocess.CompletedProcess:
    """The suite run as a user runs it, with ``backend``'s ONNX Runtime kernel made to raise (a plugin module)."""
    (tmp_path / "inject_fault.py").write_text(
        "from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner\n"
        "original = OnnxRuntimeRunner.infer_impl\n"
        "def infer_impl(self, batch):\n"
        f"    if self.name == {backend!r}:\n"
        "        raise RuntimeError('injected kernel fault')\n"
        "    return original(self, batch)\n"
        "OnnxRuntimeRunner.infer_impl = infer_impl\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "inject_fault", *args,
                           f"--artifacts-dir={tmp_path / 'art'}"], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.slow
def test_a_backend_that_raises_fails_its_own_tests_and_the_others_still_report(tmp_path):
    result = _run_gate_with_a_faulty_backend(tmp_path, "onnxruntime-fp16", "-m", "accuracy", "-k",
                                             "guide_psnr_within_1pct_of_live_reference and not int8")
    assert result.returncode == 1, result.stdout[-3000:]
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert failed and all("onnxruntime-fp16" in line for line in failed)
    assert "onnxruntime-fp16: backend broken: RuntimeError: injected kernel fault" in result.stdout
    assert "passed" in result.stdout.splitlines()[-1]
    report = (tmp_path / "art" / "report.md").read_text()
    assert (
        report.splitlines()[0].startswith("RELEASE FAIL: ")
        and "onnxruntime-fp16: backend broken" in report.splitlines()[0]
    )
    assert "RELEASE FAIL: " in result.stdout
    assert (
        "| onnxruntime-fp16 | **BROKEN**: onnxruntime-fp16: backend broken: RuntimeError: injected kernel fault |"
        in report
    )
    assert "| onnxruntime | measured (" in report


@pytest.mark.slow
def test_sigterm_mid_build_leaves_the_cache_consistent(tmp_path):
    """The INT8 build takes seconds: stop the run inside it, as CI does, then check and reuse the cache."""
    art = tmp_path / "art"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "accuracy", "-k",
               "onnxruntime-int8 and guide_psnr_within_1pct_of_live_reference", f"--artifacts-dir={art}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not list((art / "cache").glob("quantized/*.building")) and time.monotonic() < deadline:
        if run.poll() is not None:
            pytest.skip("the run ended before the INT8 build started (no calibration images here?)")
        time.sleep(0.05)
    run.send_signal(signal.SIGTERM)
    output, _ = run.communicate(timeout=120)
    assert run.returncode == 2, output[-2000:]  # pytest's "interrupted"
    assert "stopped by SIGTERM" in output
    assert not list((art / "cache").rglob("*.building")), "a half-built artifact survived SIGTERM"
    for manifest in (art / "cache").rglob(MANIFEST):
        assert ArtifactCache(art / "cache")._verified(manifest.parent)
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout[-3000:]


@pytest.mark.slow
def test_a_backend_that_raises_in_the_perf_gate_fails_in_one_line_and_shows_as_broken(tmp_path):
    result = _run_gate_with_a_faulty_backend(tmp_path, "onnxruntime-int8", "-m", "perf", "-k", "variant and bs1")
    if result.returncode == 0 and " skipped" in result.stdout.splitlines()[-1]:
        pytest.skip(f"the INT8 variant was skipped here: {result.stdout.splitlines()[-1]}")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "onnxruntime-int8: backend broken: RuntimeError: injected kernel fault" in result.stdout
    assert "Traceback" not in result.stdout
    report = (tmp_path / "art" / "report.md").read_text()
    assert "| broken |" in report and "injected kernel fault" in report
