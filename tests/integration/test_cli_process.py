"""The command line as a user runs it, ``python -m srcnn_support``: one-line errors and exit status 2."""
import os
import subprocess
import sys

from tests.conftest import ROOT


def _run(*args):
    return subprocess.run([sys.executable, "-m", "srcnn_support", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_bad_input_is_one_line_and_non_zero(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    result = _run("preprocess", "-s", tmp_path / "src", "-d", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "broken.png" in result.stderr and "Traceback" not in result.stderr
    debug = _run("--debug", "preprocess", "-s", tmp_path / "src", "-d", tmp_path / "out")
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_missing_weights_for_export(tmp_path):
    result = _run("export", "--pth", tmp_path / "none.pth", "--onnx", tmp_path / "m.onnx")
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'none.pth'}: weights file not found"
    assert not (tmp_path / "m.onnx").exists()
