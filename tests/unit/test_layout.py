"""The package's shape, kept by tests: no module grows past 250 lines, and tests/unit mirrors the package."""
import ast
from pathlib import Path

import srcnn_support
from tests.conftest import ROOT

MAX_MODULE_LINES = 250
UNIT_TESTS = ROOT / "tests" / "unit"
PROCESS_MODULES = {"subprocess", "multiprocessing"}


def test_no_module_is_longer_than_the_limit():
    package = Path(srcnn_support.__file__).parent
    lengths = {p.relative_to(package).as_posix(): len(p.read_text().splitlines()) for p in package.rglob("*.py")}
    assert lengths and not {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES}


def test_every_unit_test_folder_names_a_package():
    package = Path(srcnn_support.__file__).parent
    folders = [d.relative_to(UNIT_TESTS) for d in UNIT_TESTS.rglob("*") if d.is_dir() and d.name != "__pycache__"]
    assert folders, "tests/unit has no package folders"
    assert [f.as_posix() for f in folders if not (package / f / "__init__.py").is_file()] == []
    # Package-style folders let two folders hold test modules of the same name.
    assert [f.as_posix() for f in folders if not (UNIT_TESTS / f / "__init__.py").is_file()] == []


def _starts_processes(module: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(module.read_text(), str(module))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] in PROCESS_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PROCESS_MODULES:
            found.append(node.module)
        elif isinstance(node, ast.Attribute) and node.attr == "runpytest_subprocess":
            found.append(node.attr)
    return found


def test_no_unit_test_starts_a_process():
    """Tests that start processes belong in tests/integration: tests/unit stays in-process."""
    modules = sorted(UNIT_TESTS.rglob("*.py"))
    assert modules
    offenders = {m.relative_to(ROOT).as_posix(): found for m in modules if (found := _starts_processes(m))}
    assert offenders == {}
