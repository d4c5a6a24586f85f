"""``python -m srcnn_support`` and the ``srcnn-gate`` script: the guide's scripts as subcommands."""

from srcnn_support.cli.main import main

__all__ = ["main"]
