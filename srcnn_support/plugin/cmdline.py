"""``--dataset-dir PATH`` runs exactly as ``--dataset-dir=PATH`` does; pytest's own writes go in the artifacts folder.

pytest picks its rootdir and configuration file (pytest.ini: testpaths, addopts) from the path-like
arguments of the command line before it loads entry-point plugins, so at that point it cannot know
that ``--dataset-dir`` takes a value: in ``pytest --dataset-dir ../shared/data/Set5`` it takes the
folder for a test path, roots the run there (pytest.ini unread, test ids such as
``../h-cfg/tests/...``) and writes ``.pytest_cache`` into the dataset. No hook reaches a plugin of
this kind before that step, and redoing the step afterwards would mean rewriting pytest's private
configuration state (rootdir, ini values, addopts already merged into the arguments). So, once the
options are known, the plugin joins such pairs (``--dataset-dir=../shared/data/Set5``) and runs
that command instead, in-process, before anything is collected or written: the space form then
*is* the ``=`` form. Only pairs whose value names an existing file or folder are joined: pytest
ignores other values when it looks for the rootdir, so they change nothing.
"""
from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from srcnn_support.gate.config import DEFAULT_ARTIFACTS

GROUP = "srcnn-gate"
ADDOPTS_ENV = "PYTEST_ADDOPTS"
CACHE_DIR_ENV = "SRCNN_PYTEST_CACHE_DIR"  # pytest.ini: cache_dir = ${SRCNN_PYTEST_CACHE_DIR}
CACHE_FOLDER = "pytest-cache"
BENCHMARK_DEFAULT_STORAGE = "file://./.benchmarks"  # pytest-benchmark's default --benchmark-storage
BENCHMARK_FOLDER = "benchmarks"
_JOINED = pytest.StashKey[tuple[list[str], "str | None"]]()


def takes_a_value(parser: pytest.Parser) -> set[str]:
    """The srcnn-gate option names that take a value: asked of pytest's own parser, so flags stay apart."""
    names = [name for option in parser.getgroup(GROUP).options for name in option.names()]
    return {name for name in names if not parser.parse_known_args([name, "VALUE"]).file_or_dir}


def names_a_path(value: str) -> bool:
    """What pytest counts as a path when it looks for the rootdir (``_pytest.config.findpaths``)."""
    if value.startswith("-"):
        return False
    try:
        return Path(value.split("::")[0]).exists()
    except OSError:  # a name too long for the file system
        return False


def join_path_values(args: list[str], valued: Callable[[str], bool]) -> list[str]:
    """``[--name, PATH]`` -> ``[--name=PATH]`` for each ``valued`` option whose value names a path."""
    args, joined, i = list(args), [], 0
    while i < len(args):
        if valued(args[i]) and i + 1 < len(args) and names_a_path(args[i + 1]):
            joined.append(f"{args[i]}={args[i + 1]}")
            i += 2
        else:
            joined.append(args[i])
            i += 1
    return joined


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser) -> None:
    """The first hook an entry-point plugin gets with its options known: note the joined command, if any."""
    valued = takes_a_value(parser).__contains__
    invoked = [os.fspath(a) for a in early_config.invocation_params.args]
    addopts = shlex.split(os.environ.get(ADDOPTS_ENV, ""))
    args, joined_addopts = join_path_values(invoked, valued), join_path_values(addopts, valued)
    if args != invoked or joined_addopts != addopts:
        early_config.stash[_JOINED] = (args, shlex.join(joined_addopts) if joined_addopts != addopts else None)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | pytest.ExitCode | None:
    """Run the joined command in this process instead; its exit code is this run's."""
    if _JOINED not in config.stash or hasattr(config, "workerinput"):  # xdist workers get options, not a command
        return None
    args, addopts = config.stash[_JOINED]
    saved = os.environ.get(ADDOPTS_ENV)
    if addopts is not None:
        os.environ[ADDOPTS_ENV] = addopts
    try:
        return pytest.main(args, plugins=config.invocation_params.plugins)
    finally:
        if saved is not None:
            os.environ[ADDOPTS_ENV] = saved


def place_pytest_writes(config: pytest.Config) -> None:
    """pytest's cache and pytest-benchmark's storage go in the artifacts folder, not the rootdir or the current folder.

    pytest.ini says ``cache_dir = ${SRCNN_PYTEST_CACHE_DIR}`` and pytest expands environment variables
    in cache_dir (documented). The cache plugin reads it in its own tryfirst pytest_configure; this runs
    first, from the plugin's tryfirst pytest_configure, as pluggy calls the later-registered plugin first
    and builtin plugins register before any other. pytest-benchmark creates its storage folder
    (default ``./.benchmarks``) in its trylast pytest_configure; a ``--benchmark-storage`` given is kept.
    """
    artifacts = Path(config.getoption("artifacts_dir") or DEFAULT_ARTIFACTS).absolute()
    os.environ[CACHE_DIR_ENV] = str(artifacts / CACHE_FOLDER)
    if getattr(config.option, "benchmark_storage", None) == BENCHMARK_DEFAULT_STORAGE:
        config.option.benchmark_storage = f"file://{artifacts / BENCHMARK_FOLDER}"
