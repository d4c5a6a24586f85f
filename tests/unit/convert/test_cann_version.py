"""The CANN version comes from the install's own files, not from ``atc --version`` (issue 13 finding 4)."""
import platform

import pytest

from srcnn_support.convert.atc import keeps_fp32
from srcnn_support.convert.cann import cann_version, read_version
from srcnn_support.errors import SrcnnGateError
from srcnn_support.score.accuracy import equality_rule


@pytest.fixture
def no_default_toolkit(monkeypatch, tmp_path):
    monkeypatch.setattr("srcnn_support.convert.cann.DEFAULT_TOOLKIT", tmp_path / "absent")
    monkeypatch.delenv("ASCEND_HOME_PATH", raising=False)
    monkeypatch.delenv("ASCEND_TOOLKIT_HOME", raising=False)


def test_compiler_version_info_wins_then_the_toolkit_install_info(tmp_path, monkeypatch, no_default_toolkit):
    root = tmp_path / "latest"
    (root / f"{platform.machine()}-linux").mkdir(parents=True)
    (root / f"{platform.machine()}-linux" / "ascend_toolkit_install.info").write_text(
        "package_name=Ascend-cann-toolkit\nversion=7.0.RC1\ninnerversion=V100R001C13SPC001B221\n")
    monkeypatch.setenv("ASCEND_HOME_PATH", str(root))
    assert cann_version() == ("7.0.RC1", str(root / f"{platform.machine()}-linux" / "ascend_toolkit_install.info"))
    (root / "compiler").mkdir()
    (root / "compiler" / "version.info").write_text("Version=7.0.0.5.242\nversion_dir=7.0.RC1\n")
    assert cann_version()[0] == "7.0.0.5.242"


def test_toolkit_home_and_atc_location_are_searched(tmp_path, monkeypatch, no_default_toolkit):
    root = tmp_path / "cann"
    (root / "compiler" / "bin").mkdir(parents=True)
    (root / "version.cfg").write_text("# version: 1.0\nversion=[8.0.0:8.0.RC2]\n")
    assert cann_version(str(root / "compiler" / "bin" / "atc"))[0] == "8.0.0"
    monkeypatch.setenv("ASCEND_TOOLKIT_HOME", str(root))
    assert cann_version()[0] == "8.0.0"
    (root / "version.cfg").write_text("# version: 1.0\nruntime_running_version=[7.0.0.5.242:7.0.RC1]\n")
    assert cann_version()[0] == "7.0.0.5.242"


def test_no_install_is_unknown_with_the_places_looked(no_default_toolkit, tmp_path):
    version, why = cann_version()
    assert version == "unknown" and str(tmp_path / "absent") in why
    assert read_version(tmp_path / "nothing.info") is None


def test_precision_rule_follows_the_atc_precision_mode():
    assert keeps_fp32("must_keep_origin_dtype") and keeps_fp32("force_fp32")
    assert not keeps_fp32("force_fp16") and not keeps_fp32("allow_fp32_to_fp16")
    assert equality_rule("ascend-om", "force_fp16") == "psnr"
    assert equality_rule("ascend-om", "must_keep_origin_dtype") == "max_abs"
    assert equality_rule("onnxruntime", "force_fp16") == "max_abs"
    with pytest.raises(SrcnnGateError, match="unknown ATC precision_mode 'fp8'"):
        keeps_fp32("fp8")
