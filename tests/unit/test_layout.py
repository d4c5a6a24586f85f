"""The package's shape, kept by a test: no module grows past 250 lines."""
from pathlib import Path

import srcnn_support

MAX_MODULE_LINES = 250


def test_no_module_is_longer_than_the_limit():
    package = Path(srcnn_support.__file__).parent
    lengths = {p.relative_to(package).as_posix(): len(p.read_text().splitlines()) for p in package.rglob("*.py")}
    assert lengths and not {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES}
