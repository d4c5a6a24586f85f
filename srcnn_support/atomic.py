"""Atomic file creation: write beside the target, fsync, then rename over it."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write_via(path: Path, write: Callable[[Path], None]) -> None:
    """Nothing half-written is ever left at ``path``; an OSError while writing (a full disk: ``write`` and
    ``fsync`` name no file) names ``path``, never the temporary file that is gone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:  # the folder takes no new file (read-only, full, forbidden)
        raise _naming(path, exc) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; finished files get the usual permissions
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None or str(exc.filename) == tmp_name:
            raise _naming(path, exc) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _naming(path: Path, exc: OSError) -> OSError:
    """The same error naming ``path`` (its errno picks the subclass: EACCES stays a PermissionError)."""
    return OSError(exc.errno, exc.strerror, str(path)) if exc.errno is not None else exc


def atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_write_via(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
