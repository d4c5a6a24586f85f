"""``--om``: the user's own .om files by batch size; bad values are one-line errors naming the file."""
import pytest

from srcnn_support.convert.om_files import given_om_models
from srcnn_support.errors import SrcnnGateError


def test_batch_from_the_name_or_given(tmp_path):
    (tmp_path / "srcnn_x2_bs16.om").write_bytes(b"om")
    (tmp_path / "release.om").write_bytes(b"om")
    given = given_om_models([str(tmp_path / "srcnn_x2_bs16.om"), f"1={tmp_path / 'release.om'}"])
    assert given == ((1, tmp_path / "release.om"), (16, tmp_path / "srcnn_x2_bs16.om"))
    assert given_om_models(None) == ()


@pytest.mark.parametrize("value, message", [
    ("{d}/release.om", "batch size unknown"), ("x={d}/release.om", "positive integer"),
    ("1={d}/missing.om", "file not found"), ("1={d}/release.om,1={d}/release.om", "a second model for batch 1"),
])
def test_bad_values(tmp_path, value, message):
    (tmp_path / "release.om").write_bytes(b"om")
    with pytest.raises(SrcnnGateError, match=message):
        given_om_models(value.format(d=tmp_path).split(","))
