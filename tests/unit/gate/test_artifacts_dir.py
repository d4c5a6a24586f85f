"""--artifacts-dir is probed at the start (created, a file written and removed): a bad one is one line, exit 4."""
import os

import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import check_artifacts_dir


def test_a_new_folder_is_created_and_left_empty(tmp_path):
    folder = tmp_path / "new" / "artifacts"
    check_artifacts_dir(folder)
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_a_regular_file_in_its_place_is_refused(tmp_path):
    (tmp_path / "artifacts").write_text("not a folder")
    with pytest.raises(SrcnnGateError) as raised:
        check_artifacts_dir(tmp_path / "artifacts")
    assert str(raised.value) == f"{tmp_path / 'artifacts'}: --artifacts-dir: not a folder (a file is in its place)"


def test_a_folder_under_a_regular_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(SrcnnGateError) as raised:
        check_artifacts_dir(tmp_path / "file" / "artifacts")
    assert str(raised.value) == (f"{tmp_path / 'file' / 'artifacts'}: --artifacts-dir: cannot create or write "
                                 "in this folder (Not a directory)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0o555 folder: permission bits do not stop it "
                                              "(the read-only mount case is tests/integration/test_bad_inputs_once.py)")
def test_a_folder_without_write_permission_is_refused(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(SrcnnGateError) as raised:
            check_artifacts_dir(folder)
    finally:
        folder.chmod(0o755)
    assert str(raised.value) == f"{folder}: --artifacts-dir: cannot create or write in this folder (Permission denied)"
