#!/usr/bin/env python3
"""EMULATOR of ATC's command-line contract, for contract tests only: it converts nothing.

It checks the flags the guide passes (``--framework=5 --model --output --input_format
--input_shape --soc_version``, as Ascend/ModelZoo-PyTorch ACL_PyTorch READMEs run ATC) and writes
``<--output>.om`` the way ATC writes its model next to the output stem. The ``.om`` here is the
emulator's own container, not Ascend's format: a zip holding ``atc_flags.json`` and a copy of the
ONNX model, which the benchmark emulator runs. ``--version`` answers as ATC builds on gflags do:
the program name (``atc.bin``) and no version, so the suite must read the CANN install instead.
"""
import json
import sys
import zipfile
from pathlib import Path

REQUIRED = ("--framework", "--model", "--output", "--input_format", "--input_shape", "--soc_version")


def main(argv):
    if argv == ["--version"]:
        print("atc.bin")
        return 0
    flags = dict(arg.split("=", 1) for arg in argv if "=" in arg)
    missing = [f for f in REQUIRED if f not in flags]
    if missing:
        print(f"ATC emulator: missing {' '.join(missing)}", file=sys.stderr)
        return 1
    if not Path(flags["--model"]).is_file():
        print(f"ATC emulator: model {flags['--model']} not found", file=sys.stderr)
        return 1
    with zipfile.ZipFile(flags["--output"] + ".om", "w") as om:
        om.writestr("atc_flags.json", json.dumps(flags))
        om.write(flags["--model"], "model.onnx")
    print("ATC run success, welcome to the next use.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
