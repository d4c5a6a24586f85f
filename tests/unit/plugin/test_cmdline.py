"""The space form of the path options is joined into the ``=`` form (srcnn_support/plugin/cmdline.py)."""
import pytest

from srcnn_support.plugin.cmdline import join_path_values, takes_a_value
from srcnn_support.plugin.options import pytest_addoption

PATH_OPTIONS = {"--dataset-dir", "--weights", "--artifacts-dir", "--results-json", "--calibration-dir", "--om",
                "--perf-log", "--onnx", "--dump-dir", "--data-root"}


@pytest.fixture
def valued(pytestconfig):
    parser = pytest.Parser(_ispytest=True)
    pytest_addoption(parser, pytestconfig.pluginmanager)
    return takes_a_value(parser)


def test_every_path_option_is_found_to_take_a_value_and_the_flag_is_not(valued):
    assert PATH_OPTIONS <= valued
    assert "--require-target" not in valued


def test_a_path_value_is_joined_to_its_option(valued, tmp_path):
    args = ["-m", "accuracy", "--dataset-dir", str(tmp_path), "--om", str(tmp_path), "-k", "x"]
    assert join_path_values(args, valued.__contains__) == ["-m", "accuracy", f"--dataset-dir={tmp_path}",
                                                           f"--om={tmp_path}", "-k", "x"]


@pytest.mark.parametrize("args", [
    ["--target", "no-such-folder"],   # not a path: pytest ignores it when it looks for the rootdir
    ["--om", "1=model.om"],
    ["--dataset-dir=."],              # already joined
    ["--require-target", "."],        # a flag: the path is a test path
    ["--weights", "-q"],              # an option, not a value
    ["--weights"],                    # no value at all: pytest says so
    ["tests", "--dataset-dir"],
])
def test_anything_else_is_left_as_written(valued, args, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests").mkdir()
    assert join_path_values(args, valued.__contains__) == args
