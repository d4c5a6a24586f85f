#!/usr/bin/env python3
"""EMULATOR of ATC's command-line contract, for contract tests only: it converts nothing.

It checks the flags the guide passes, then writes ``<--output>.om`` holding the flags it received,
the way ATC writes its model next to the output stem. ``--version`` prints a version line.
"""
import json
import sys
from pathlib import Path

REQUIRED = ("--framework", "--model", "--output", "--input_format", "--input_shape", "--soc_version")


def main(argv):
    if argv == ["--version"]:
        print("ATC emulator (not CANN) version 0.0")
        return 0
    flags = dict(arg.split("=", 1) for arg in argv if "=" in arg)
    missing = [f for f in REQUIRED if f not in flags]
    if missing:
        print(f"ATC emulator: missing {' '.join(missing)}", file=sys.stderr)
        return 1
    if not Path(flags["--model"]).is_file():
        print(f"ATC emulator: model {flags['--model']} not found", file=sys.stderr)
        return 1
    Path(flags["--output"] + ".om").write_text(json.dumps(flags))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
