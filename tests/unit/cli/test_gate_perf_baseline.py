"""``gate-perf --baseline``: a recorded device run against the accepted release, through the CLI's own functions."""
from srcnn_support.cli.main import main
from tests.conftest import FIXTURES

GUIDE_LOG = FIXTURES / "logs" / "perf_vision_batchsize_1_device_0.txt"


def _log_at(folder, fps: str):
    """The guide's perf_vision file with its Interface throughputRate rewritten (the per-chip figure gated)."""
    folder.mkdir()
    log = folder / GUIDE_LOG.name
    text = GUIDE_LOG.read_text()
    log.write_text(text.replace("Interface throughputRate: 348.038", f"Interface throughputRate: {fps}"))
    return log


def test_a_recorded_run_below_the_accepted_figure_fails_and_one_close_to_it_passes(tmp_path, capsys):
    store = tmp_path / "releases"
    assert main(["gate-perf", "--target", "ascend310", "--perf-log", str(GUIDE_LOG), "--json",
                 str(tmp_path / "accepted.json")]) == 0
    assert main(["accept", "--results", str(tmp_path / "accepted.json"), "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["gate-perf", "--target", "ascend310", "--perf-log", str(_log_at(tmp_path / "slow", "300")),
                 "--baseline", str(store)]) == 1
    out = capsys.readouterr().out
    assert "FAIL ascend310/ascend-om/bs1: >= 90% of release 1's 348.038 images/s (fps): measured 300.000" in out
    assert out.splitlines()[-1].startswith("RELEASE FAIL: 1 of ")
    assert main(["gate-perf", "--target", "ascend310", "--perf-log", str(_log_at(tmp_path / "close", "340")),
                 "--baseline", str(store)]) == 0


def test_no_store_is_said_and_fails_only_when_required(tmp_path, capsys):
    absent = tmp_path / "absent"
    assert main(["gate-perf", "--target", "ascend310", "--perf-log", str(GUIDE_LOG), "--baseline", str(absent)]) == 0
    assert f"NOT COMPARED with an accepted release: {absent}: --baseline: no such release store" in \
        capsys.readouterr().out
    assert main(["gate-perf", "--target", "ascend310", "--perf-log", str(GUIDE_LOG), "--baseline", str(absent),
                 "--require-baseline"]) == 1
