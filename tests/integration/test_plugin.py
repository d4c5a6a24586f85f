"""The pytest plugin's own behaviour, run in-process with ``pytester`` (no whole-suite subprocess)."""
import pytest

from srcnn_support.plugin.options import MARKERS
from srcnn_support.plugin.session import GateSession, session_of

pytestmark = pytest.mark.slow


def test_markers_are_declared_once_by_the_plugin(pytester):
    result = pytester.runpytest_inprocess("-p", "srcnn_support.pytest_plugin", "--markers")
    lines = result.stdout.lines
    for name, text in MARKERS.items():
        assert sum(line.startswith(f"@pytest.mark.{name}:") for line in lines) == 1, name
        assert any(text in line for line in lines)


def test_a_missing_dataset_dir_is_a_one_line_usage_error(pytester, tmp_path):
    pytester.makepyfile("def test_nothing():\n    pass\n")
    missing = tmp_path / "no-such-set"
    result = pytester.runpytest_inprocess("-p", "srcnn_support.pytest_plugin", f"--dataset-dir={missing}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any(str(missing) in line for line in result.stderr.lines)


def test_fixtures_share_the_one_session_object_in_the_stash(pytester, tmp_path):
    pytester.makepyfile("""
        from srcnn_support.plugin.session import session_of

        def test_shared(pytestconfig, gate, recorder):
            session = session_of(pytestconfig)
            assert session.recorder is recorder and session.gate is gate
    """)
    result = pytester.runpytest_inprocess("-p", "srcnn_support.pytest_plugin",
                                          f"--artifacts-dir={tmp_path / 'artifacts'}")
    result.assert_outcomes(passed=1)


def test_session_of_reads_the_stash(pytestconfig):
    assert isinstance(session_of(pytestconfig), GateSession)
