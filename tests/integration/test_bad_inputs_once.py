"""A bad --artifacts-dir, and INT8 calibration images found nowhere, are said once per run, not once per test
(a pytest subprocess, as a user runs it; counted in stdout and stderr together)."""
import os
import shutil
import subprocess
import sys

import pytest

from srcnn_support.prepare.datasets import sample_photos
from tests.conftest import ROOT

ENV = {k: v for k, v in os.environ.items() if not k.startswith("SRCNN_")} | {"PATH": "/usr/bin:/bin",
                                                                             "PYTHONPATH": str(ROOT)}
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]


def _run(command):
    result = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True)
    return result, result.stdout + result.stderr


def _refused_once(command, line):
    result, output = _run(command)
    assert result.returncode == 4, output[-2000:]
    assert [text for text in result.stderr.splitlines() if text] == [line]  # the one line, no traceback
    assert output.count("--artifacts-dir") == 1


def test_artifacts_dir_that_is_a_regular_file_stops_the_run_once(tmp_path):
    (tmp_path / "artifacts").write_text("a file where a folder is expected")
    _refused_once([*PYTEST, "-m", "accuracy", f"--artifacts-dir={tmp_path / 'artifacts'}"],
                  f"ERROR: {tmp_path / 'artifacts'}: --artifacts-dir: not a folder (a file is in its place)")


def test_artifacts_dir_under_a_regular_file_stops_the_run_once(tmp_path):
    (tmp_path / "file").write_text("")
    _refused_once([*PYTEST, "-m", "accuracy", "--artifacts-dir", str(tmp_path / "file" / "artifacts")],
                  f"ERROR: {tmp_path / 'file' / 'artifacts'}: --artifacts-dir: cannot create or write in this folder "
                  "(Not a directory)")


def _read_only_bind(folder):
    """``unshare -m`` + ``mount --bind -o ro``: read-only even for root, whom permission bits do not stop."""
    return ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder)]


def test_artifacts_dir_on_a_read_only_mount_stops_the_run_once(tmp_path):
    folder = tmp_path / "artifacts"
    folder.mkdir()
    probe, _ = _run([*_read_only_bind(folder), "sh", "-c", f"! touch {folder}/probe 2>/dev/null"])
    if shutil.which("unshare") is None or probe.returncode != 0:
        pytest.skip("no read-only bind mount here (needs 'unshare -m' and 'mount --bind', i.e. root in a mount "
                    f"namespace): {probe.stderr.strip()[:200]}")
    _refused_once([*_read_only_bind(folder), *PYTEST, "-m", "accuracy", f"--artifacts-dir={folder}"],
                  f"ERROR: {folder}: --artifacts-dir: cannot create or write in this folder (Read-only file system)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0o555 folder: permission bits do not stop it "
                                              "(the read-only mount test covers root)")
def test_artifacts_dir_without_write_permission_stops_the_run_once(tmp_path):
    folder = tmp_path / "artifacts"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        _refused_once([*PYTEST, "-m", "accuracy", f"--artifacts-dir={folder}"],
                      f"ERROR: {folder}: --artifacts-dir: cannot create or write in this folder (Permission denied)")
    finally:
        folder.chmod(0o755)


def test_int8_calibration_found_nowhere_is_said_once(tmp_path):
    """``--dataset-dir DIR`` alone, with no DIR/../train and the project's default data root moved away (patched
    in the child before pytest starts): the INT8 tests are set aside on one line naming both places looked."""
    photos = tmp_path / "data" / "photos"
    photos.mkdir(parents=True)
    for source in sample_photos().files[:2]:
        shutil.copyfile(source, photos / source.name)
    child = ("import sys, pathlib, pytest, srcnn_support.prepare.datasets as d; "
             f"d.DEFAULT_DATA_ROOT = pathlib.Path({str(tmp_path / 'no-root')!r}); sys.exit(pytest.main(sys.argv[1:]))")
    result, output = _run([sys.executable, "-c", child, "-p", "no:cacheprovider", "-q", "-m", "accuracy",
                           "-k", "int8 or onnxruntime-camera", f"--dataset-dir={photos}",
                           f"--artifacts-dir={tmp_path / 'artifacts'}"])
    assert result.returncode == 0, output[-3000:]
    line = (f"srcnn-gate set aside 18 INT8 test(s): onnxruntime-int8: INT8 calibration images not found: looked in "
            f"{tmp_path / 'data' / 'train'}, {tmp_path / 'no-root' / 'train'}; pass --calibration-dir, or --data-root "
            "(or SRCNN_DATA_ROOT) naming the folder that holds train/ (not run, not counted)")
    assert line in result.stdout.splitlines()
    assert output.count("INT8 calibration images not found") == 1
