import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from srcnn_support.cache import MANIFEST, ArtifactCache
from tests.conftest import ROOT


def _builder(content: str, calls: list):
    def build(tmp: Path) -> None:
        calls.append(1)
        (tmp / "out.txt").write_text(content)
    return build


def test_builds_once_then_reuses(tmp_path):
    cache, calls = ArtifactCache(tmp_path), []
    first = cache.get_or_build("kind", {"x": 1}, _builder("a", calls))
    second = cache.get_or_build("kind", {"x": 1}, _builder("a", calls))
    assert first == second and len(calls) == 1
    assert cache.stats.built == [f"kind/{first.name}"] and cache.stats.reused == [f"kind/{first.name}"]
    assert json.loads((first / MANIFEST).read_text())["inputs"] == {"x": 1}


def test_changed_input_builds_a_new_artifact(tmp_path):
    cache, calls = ArtifactCache(tmp_path), []
    a = cache.get_or_build("kind", {"x": 1}, _builder("a", calls))
    b = cache.get_or_build("kind", {"x": 2}, _builder("b", calls))
    assert a != b and len(calls) == 2 and (a / "out.txt").read_text() == "a"


def test_damaged_artifact_is_rebuilt_not_trusted(tmp_path):
    cache, calls = ArtifactCache(tmp_path), []
    path = cache.get_or_build("kind", {"x": 1}, _builder("good", calls))
    (path / "out.txt").write_text("tampered")
    again = cache.get_or_build("kind", {"x": 1}, _builder("good", calls))
    assert (again / "out.txt").read_text() == "good" and len(calls) == 2
    assert cache.stats.repaired


def test_failed_build_leaves_nothing(tmp_path):
    cache = ArtifactCache(tmp_path)

    def explode(tmp: Path) -> None:
        (tmp / "half.txt").write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.get_or_build("kind", {"x": 1}, explode)
    leftovers = [p for p in (tmp_path / "kind").iterdir() if not p.name.endswith(".lock")]
    assert leftovers == []


def _concurrent_build(root: str, counter: str) -> str:
    cache = ArtifactCache(root)

    def slow(tmp: Path) -> None:
        with open(counter, "a") as handle:
            handle.write("built\n")
        time.sleep(0.5)
        (tmp / "out.txt").write_text("x")

    return str(cache.get_or_build("kind", {"x": 1}, slow))


def test_concurrent_builders_build_once(tmp_path):
    counter = tmp_path / "counter"
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        paths = pool.starmap(_concurrent_build, [(str(tmp_path / "cache"), str(counter))] * 3)
    assert len(set(paths)) == 1
    assert counter.read_text().count("built") == 1


KILLED_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from srcnn_support.cache import ArtifactCache

    def build(tmp: Path) -> None:
        (tmp / "part1.txt").write_text("1")
        Path(sys.argv[2]).write_text("started")
        time.sleep(float(sys.argv[3]))
        (tmp / "part2.txt").write_text("2")

    print(ArtifactCache(sys.argv[1]).get_or_build("kind", {"x": 1}, build))
""")


@pytest.mark.slow
def test_build_killed_midway_recovers_identically(tmp_path):
    root, started = tmp_path / "cache", tmp_path / "started"
    script = tmp_path / "build.py"
    script.write_text(KILLED_BUILD)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    victim = subprocess.Popen([sys.executable, str(script), str(root), str(started), "30"], env=env)
    deadline = time.time() + 30
    while not started.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert started.exists(), "the build never started"
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert not any((p / MANIFEST).exists() for p in (root / "kind").iterdir() if p.is_dir())
    done = subprocess.run([sys.executable, str(script), str(root), str(tmp_path / "s2"), "0"], env=env,
                          capture_output=True, text=True, check=True)
    artifact = Path(done.stdout.strip())
    assert sorted(p.name for p in artifact.iterdir()) == [MANIFEST, "part1.txt", "part2.txt"]
    assert not list((root / "kind").glob("*.building")), "the killed builder's staging folder was not cleaned"
    reference = ArtifactCache(tmp_path / "fresh").get_or_build(
        "kind", {"x": 1}, lambda tmp: ((tmp / "part1.txt").write_text("1"), (tmp / "part2.txt").write_text("2")))
    assert artifact.name == reference.name
    for name in ("part1.txt", "part2.txt"):
        assert (artifact / name).read_bytes() == (reference / name).read_bytes()
