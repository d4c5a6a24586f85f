"""A content-addressed artifact cache that is safe under crashes and concurrent builders.

An artifact is a directory ``<root>/<kind>/<key>/`` whose key hashes every input that decides its
content (input file bytes, parameters, and the source of the code that builds it). It is built in
a private temporary directory, a ``MANIFEST.json`` with the sha256 of every file is written last,
and the whole directory is renamed into place: readers see a complete artifact or none. A file
lock per key makes concurrent builders (``pytest -n``, two runs sharing a directory) wait for one
another instead of building twice. Reuse re-hashes the files against the manifest, so a damaged
artifact is rebuilt rather than trusted.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

try:
    from filelock import FileLock
except ImportError:  # a checkout run on a machine's own Python (tools/device_check.sh) may lack it
    from srcnn_support.locking import FlockFileLock as FileLock

from srcnn_support.errors import SrcnnGateError

MANIFEST = "MANIFEST.json"
EVENT_LOG = "cache-events.log"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_version(modules: Iterable[str]) -> str:
    """Hash of the named modules' source files in this package: code changes invalidate artifacts."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in sorted(modules):
        digest.update(name.encode())
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def make_key(parts: dict) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


@dataclass
class CacheStats:
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # label -> seconds its build took, measured now or read from the manifest of a reused artifact (cold start)
    build_seconds: dict[str, float] = field(default_factory=dict)


class ArtifactCache:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.stats = CacheStats()
        # A build that failed fails the same way for every later test of the run: it is raised again, not retried.
        self._failed: dict[str, Exception] = {}

    def path_for(self, kind: str, key: str) -> Path:
        return self.root / kind / key

    def get_or_build(self, kind: str, parts: dict, build: Callable[[Path], None]) -> Path:
        """Return the artifact directory for ``parts``, building it with ``build(tmp_dir)`` if needed."""
        key = make_key({"kind": kind, **parts})
        final = self.path_for(kind, key)
        label = f"{kind}/{key}"
        if key in self._failed:
            raise self._failed[key]
        if self._verified(final):
            self._record("reused", label, final)
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(final) + ".lock"):
            if self._verified(final):  # another process built it while we waited
                self._record("reused", label, final)
                return final
            if final.exists():
                shutil.rmtree(final)
                self._record("repaired", label)
            for stale in final.parent.glob(f".{key}.*.building"):  # left by a builder that was killed
                shutil.rmtree(stale, ignore_errors=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".building", dir=final.parent))
            started = time.perf_counter()
            try:
                build(staging)
                manifest = {
                    "kind": kind,
                    "key": key,
                    "inputs": parts,
                    "files": {p.relative_to(staging).as_posix(): sha256_file(p)
                              for p in sorted(staging.rglob("*")) if p.is_file()},
                    "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "build_seconds": round(time.perf_counter() - started, 3),
                }
                (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
                _fsync_tree(staging)
                os.replace(staging, final)
            except OSError as exc:
                shutil.rmtree(staging, ignore_errors=True)
                if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                    raise SrcnnGateError(
                        final.parent,
                        f"{exc.strerror} while building the {kind} artifact; nothing "
                        "was cached, the next run rebuilds it once space is freed",
                    ) from None
                raise
            except BaseException as exc:  # a failed build, Ctrl-C, SIGTERM: readers must never see a partial artifact
                shutil.rmtree(staging, ignore_errors=True)
                if isinstance(exc, Exception):
                    self._failed[key] = exc
                    self._record("failed", label)
                raise
            self._record("built", label, final)
            return final

    def _verified(self, directory: Path) -> bool:
        manifest_path = directory / MANIFEST
        if not manifest_path.is_file():
            return False
        try:
            files = json.loads(manifest_path.read_text())["files"]
            return all(sha256_file(directory / name) == digest for name, digest in files.items())
        except (OSError, ValueError, KeyError, TypeError):
            return False

    def _record(self, event: str, label: str, directory: Path | None = None) -> None:
        getattr(self.stats, event).append(label)
        if directory is not None:
            seconds = _manifest_build_seconds(directory)
            if seconds is not None:
                self.stats.build_seconds[label] = seconds
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / EVENT_LOG, "a", encoding="utf-8") as log:
            log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} pid={os.getpid()} {event} {label}\n")


def _manifest_build_seconds(directory: Path) -> float | None:
    """What building the artifact took, as its manifest recorded (absent in artifacts built before it was)."""
    try:
        seconds = json.loads((directory / MANIFEST).read_text()).get("build_seconds")
    except (OSError, ValueError, AttributeError):
        return None
    return float(seconds) if isinstance(seconds, (int, float)) else None


def _fsync_tree(directory: Path) -> None:
    for path in directory.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
