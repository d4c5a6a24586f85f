"""The gate run as a user runs it on an image folder as people really have it (see tests/messy_folders.py)."""
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.messy_folders import make_messy_folder


@pytest.mark.slow
def test_gate_runs_on_a_messy_folder_and_names_the_skipped_files_once(tmp_path):
    folder = make_messy_folder(tmp_path / "my photos")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "accuracy",
                             "-k", "pytorch and (guide_psnr or standard)", f"--dataset-dir={folder}",
                             f"--artifacts-dir={tmp_path / 'art'}"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    header = [line for line in result.stdout.splitlines() if "not images by name" in line]
    assert len(header) == 1 and "README.txt" in header[0] and "._baby boy.PNG" in header[0]
    assert "passed" in result.stdout.splitlines()[-1]
    assert (tmp_path / "art" / "report.md").read_text().startswith("RELEASE PASS: ")
    assert "RELEASE PASS: " in result.stdout
