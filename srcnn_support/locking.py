"""An exclusive lock file with ``fcntl.flock``, used when the ``filelock`` package is absent.

``filelock`` is a dependency of the project (and of torch wheels), but a GPU machine that runs the
suite from a checkout on its own Python may lack it; the artifact cache's per-key locking then
uses this. Same contract as ``filelock.FileLock`` for the cache's use: a blocking context manager.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


class FlockFileLock:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def __enter__(self) -> "FlockFileLock":
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
