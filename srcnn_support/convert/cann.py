"""The CANN version, read from the install rather than from ``atc --version``.

ATC builds on gflags answer ``--version`` with the program name (``atc.bin``) and the newest ATC
rejects the flag, so neither gives a version. The toolkit records its own:
``<root>/compiler/version.info`` (``Version=7.0.0.5.242``, ATC's own component),
``<root>/<arch>-linux/ascend_toolkit_install.info`` (``version=7.0.RC1``) and ``<root>/version.cfg``,
with ``<root>`` = ``$ASCEND_HOME_PATH`` or ``$ASCEND_TOOLKIT_HOME`` (both set by the toolkit's
``set_env.sh``), else ``/usr/local/Ascend/ascend-toolkit/latest``, else the folder above the ``atc`` found.
"""
from __future__ import annotations

import os
import platform
import re
from pathlib import Path

DEFAULT_TOOLKIT = Path("/usr/local/Ascend/ascend-toolkit/latest")
# version=7.0.RC1, Version=7.0.0.5.242, runtime_running_version=[7.0.0.5.242:7.0.RC1] (version.cfg)
_VERSION_LINE = re.compile(r"^\s*(?:\w+_)?(?:version|Version|VERSION)\s*=\s*\[?([^\]\s:]+)", re.MULTILINE)


def toolkit_roots(atc_path: str | None = None) -> list[Path]:
    roots = [os.environ.get("ASCEND_HOME_PATH"), os.environ.get("ASCEND_TOOLKIT_HOME"), str(DEFAULT_TOOLKIT)]
    if atc_path:
        # atc lives at <root>/bin/atc or <root>/compiler/bin/atc (also reached through an atc/ symlink)
        real = Path(atc_path).resolve()
        roots += [str(real.parents[1]), str(real.parents[2])] if len(real.parents) > 2 else []
    return list(dict.fromkeys(Path(r) for r in roots if r))


def version_files(root: Path) -> list[Path]:
    arch = f"{platform.machine()}-linux"
    return [root / "compiler" / "version.info", root / arch / "ascend_toolkit_install.info",
            root / "version.cfg", root / "version.info"]


def read_version(path: Path) -> str | None:
    try:
        match = _VERSION_LINE.search(path.read_text(errors="replace"))
    except OSError:
        return None
    return match[1] if match else None


def cann_version(atc_path: str | None = None) -> tuple[str, str]:
    """``(version, the file it came from)``, or ``("unknown", why)`` when no install records one."""
    for root in toolkit_roots(atc_path):
        for path in version_files(root):
            version = read_version(path)
            if version:
                return version, str(path)
    return "unknown", "no CANN version file under " + ", ".join(str(r) for r in toolkit_roots(atc_path))
