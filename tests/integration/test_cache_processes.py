"""The artifact cache across processes: concurrent builders, a builder killed midway, and the fcntl.flock
lock it falls back to where the filelock package is missing (as on the GPU machine)."""
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


def test_flock_fallback_excludes_another_process(tmp_path):
    """Without the filelock package the cache locks with fcntl.flock: another process cannot take the lock."""
    from srcnn_support.locking import FlockFileLock

    lock_path = tmp_path / "key.lock"
    probe = ("import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDWR)\n"
             "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    sys.exit(3)\n")
    with FlockFileLock(lock_path):
        held = subprocess.run([sys.executable, "-c", probe, str(lock_path)], timeout=30)
    free = subprocess.run([sys.executable, "-c", probe, str(lock_path)], timeout=30)
    assert (held.returncode, free.returncode) == (3, 0)


def test_cache_imports_without_filelock():
    code = ("import sys; sys.modules['filelock'] = None\n"
            "import srcnn_support.cache as cache; print(cache.FileLock.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "FlockFileLock", done.stderr[-2000:]
