"""The suite's options and session fixtures live in ``srcnn_support/pytest_plugin.py``.

That module is registered as a pytest11 entry point when the project is installed
(``pip install -e .``), so its options work even when a path-valued option moves pytest's rootdir;
this line loads it when the suite runs from a checkout that was not installed.
"""
# pytester: the plugin's own tests (tests/integration/test_plugin.py) run pytest in-process with it.
pytest_plugins = ("srcnn_support.pytest_plugin", "pytester")
