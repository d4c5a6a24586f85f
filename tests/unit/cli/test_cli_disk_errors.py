"""A full, read-only or forbidden disk under a CLI command: one line naming the file and the problem, exit 2,
and nothing half-written left behind (the writers go through srcnn_support/atomic.py)."""
import errno
import os
from pathlib import Path

import pytest
from PIL import Image

from srcnn_support.cli.main import main
from tests.conftest import FIXTURES

PERF_LOG = FIXTURES / "logs" / "perf_vision_batchsize_1_device_0.txt"


def _bin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "alpha.bin").write_bytes(bytes(256 * 256 * 4))
    return folder


def _fail_after_half(monkeypatch, code: int, named: bool) -> None:
    """Path.write_bytes writes half its data, then the disk gives out (with or without naming the file)."""
    def write_bytes(self, data):
        with open(self, "wb") as handle:
            handle.write(data[: len(data) // 2])
        raise OSError(code, os.strerror(code), str(self) if named else None)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT],
                         ids=["ENOSPC", "EROFS", "EACCES", "EDQUOT"])
def test_info_file_on_a_failing_disk_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, code):
    bins, out = _bin_dir(tmp_path), tmp_path / "out"
    out.mkdir()
    _fail_after_half(monkeypatch, code, named=True)
    assert main(["info", "bin", str(bins), str(out / "srcnn.info"), "256", "256"]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: {out / 'srcnn.info'}: {os.strerror(code)} ({errno.errorcode[code]})\n"
    assert list(out.iterdir()) == []  # neither the info file nor its temporary part


def test_a_full_disk_at_fsync_names_the_file_being_written(tmp_path, monkeypatch, capsys):
    """A real full disk fails in write() or fsync(), which name no file: the error names the file being written."""
    bins, info = _bin_dir(tmp_path), tmp_path / "out" / "srcnn.info"

    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("srcnn_support.atomic.os.fsync", fsync)
    assert main(["info", "bin", str(bins), str(info), "256", "256"]) == 2
    assert capsys.readouterr().err == f"error: {info}: No space left on device (ENOSPC)\n"
    assert list(info.parent.iterdir()) == []


def test_gate_perf_json_on_a_full_disk_leaves_no_json(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    _fail_after_half(monkeypatch, errno.ENOSPC, named=False)
    assert main(["gate-perf", "--target", "ascend310", "--perf-log", str(PERF_LOG), "--json", str(out / "g.json")]) == 2
    assert capsys.readouterr().err == f"error: {out / 'g.json'}: No space left on device (ENOSPC)\n"
    assert list(out.iterdir()) == []


def test_preprocess_on_a_full_disk_leaves_no_half_written_png(tmp_path, monkeypatch, capsys):
    src = tmp_path / "src"
    src.mkdir()
    Image.new("RGB", (300, 260), (120, 30, 200)).save(src / "alpha.png")

    def save(self, fp, *args, **kwargs):
        Path(fp).write_text("half a png")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Image.Image, "save", save)
    assert main(["preprocess", "-s", str(src), "-d", str(tmp_path / "prep")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'prep' / 'png' / 'alpha_256.png'}: " \
                                      "No space left on device (ENOSPC)\n"
    assert list((tmp_path / "prep" / "png").iterdir()) == []


def test_another_os_error_is_not_passed_off_as_bad_input(tmp_path, monkeypatch):
    bins = _bin_dir(tmp_path)
    _fail_after_half(monkeypatch, errno.EIO, named=True)
    with pytest.raises(OSError) as raised:
        main(["info", "bin", str(bins), str(tmp_path / "srcnn.info"), "256", "256"])
    assert raised.value.errno == errno.EIO and list(tmp_path.glob("*.info*")) == []
