import json
from pathlib import Path

import pytest

from srcnn_support.cache import MANIFEST, ArtifactCache


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

