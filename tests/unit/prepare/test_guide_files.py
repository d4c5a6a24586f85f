import numpy as np
import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.prepare.guide_files import (
    Layout,
    encode_bin,
    parse_info_text,
    read_bin,
    read_dump_dir,
    read_info,
    write_bin,
    write_info,
)


@pytest.fixture
def plane():
    return np.arange(256 * 256, dtype=np.float32).reshape(256, 256) / 65536


def test_guide_bin_is_transposed_little_endian_float32(plane):
    data = encode_bin(plane, Layout.GUIDE)
    assert len(data) == 262_144
    values = np.frombuffer(data, "<f4")
    assert values[1] == plane[1, 0]  # column-major: the second value is row 1 of column 0
    assert values[256] == plane[0, 1]
    assert np.frombuffer(encode_bin(plane, Layout.NATURAL), "<f4")[1] == plane[0, 1]


def test_bin_round_trip(tmp_path, plane):
    for layout in Layout:
        write_bin(tmp_path / f"{layout.value}.bin", plane, layout)
        assert np.array_equal(read_bin(tmp_path / f"{layout.value}.bin", 256, 256, layout), plane)


def test_wrong_size_bin_names_file_and_sizes(tmp_path):
    path = tmp_path / "short.bin"
    path.write_bytes(b"\0" * 1000)
    with pytest.raises(SrcnnGateError, match=r"short\.bin: bin file has 1000 bytes, expected 262144"):
        read_bin(path, 256, 256, Layout.GUIDE)


def test_info_file_lines(tmp_path, plane):
    for name in ("b", "a"):
        write_bin(tmp_path / "bin" / f"{name}.bin", plane, Layout.GUIDE)
    entries = write_info(tmp_path / "bin", tmp_path / "x.info", 256, 256)
    lines = (tmp_path / "x.info").read_text().splitlines()
    assert lines[0] == f"0 {tmp_path / 'bin' / 'a.bin'} 256 256"
    assert [e.index for e in entries] == [0, 1]
    assert read_info(tmp_path / "x.info") == entries


@pytest.mark.parametrize("text, problem", [
    ("0 a.bin 256\n", "expected '<index> <path> <width> <height>'"),
    ("x a.bin 256 256\n", "must be integers"),
    ("0 a.bin 0 256\n", "must be positive"),
    ("\n\n", "info file is empty"),
])
def test_malformed_info_file(text, problem):
    with pytest.raises(SrcnnGateError, match=problem):
        parse_info_text(text, "bad.info")


def _dump(tmp_path, files: dict[str, bytes]):
    dump = tmp_path / "dump"
    dump.mkdir()
    for name, data in files.items():
        (dump / name).write_bytes(data)
    return dump


def test_dump_dir_reads_text_binary_and_npy(tmp_path):
    plane = np.random.default_rng(0).random((4, 4), dtype=np.float32)
    text = " ".join(f"{v:.9g}" for v in plane.ravel()).encode()
    dump = _dump(tmp_path, {"a_1.txt": text, "b_0.bin": plane.astype("<f4").tobytes()})
    np.save(dump / "c_0.npy", plane)
    outputs = read_dump_dir(dump, ["a", "b", "c"], 4, 4)
    for name in "abc":
        assert np.allclose(outputs[name], plane)


@pytest.mark.parametrize("files, stems, problem", [
    ({"a_1.txt": b"1 2 3 4"}, ["a", "b"], r"no output for b"),
    ({"a_1.txt": b"1 2 3 4", "zzz_1.txt": b"1"}, ["a"], r"unexpected file\(s\) zzz_1.txt"),
    ({"a_1.txt": b"1 2 x 4"}, ["a"], r"a_1.txt: unparsable output"),
    ({"a_1.txt": b"1 2 3"}, ["a"], r"a_1.txt: output has 3 values, expected 4"),
    ({"a_1.bin": b"\0" * 12}, ["a"], r"a_1.bin: output has 12 bytes, expected 16"),
    ({"a_1.txt": b"1 2 3 4", "a_0.bin": b"\0" * 16}, ["a"], r"second output for 'a'"),
])
def test_bad_dump_dirs(tmp_path, files, stems, problem):
    with pytest.raises(SrcnnGateError, match=problem):
        read_dump_dir(_dump(tmp_path, files), stems, 2, 2)


def test_missing_dump_dir(tmp_path):
    with pytest.raises(SrcnnGateError, match="dump directory not found"):
        read_dump_dir(tmp_path / "nope", ["a"], 2, 2)
