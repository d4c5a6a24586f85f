#!/usr/bin/env python3
"""EMULATOR of the Ascend ``benchmark`` tool's file contract, for contract tests only.

It is not the Ascend tool and never runs an .om: it reads the info file and .bin inputs exactly as
the tool does, runs the ONNX model named by $SRCNN_EMULATOR_ONNX with ONNX Runtime, and writes
``result/dumpOutput_device<D>/<stem>_1.txt`` (or ``.bin`` with -output_binary=True) plus the
tool's summary lines. The gates never put this on PATH.
"""
import os
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort


def main(argv):
    flags = dict(arg.lstrip("-").split("=", 1) for arg in argv if "=" in arg)
    onnx_path = os.environ.get("SRCNN_EMULATOR_ONNX")
    if not onnx_path:
        print("[ERROR] benchmark emulator: set SRCNN_EMULATOR_ONNX", file=sys.stderr)
        return 1
    if not Path(flags.get("om_path", "")).exists():
        print(f"[ERROR] om_path {flags.get('om_path')} not found", file=sys.stderr)
        return 1
    width, height = int(flags["input_width"]), int(flags["input_height"])
    binary = flags.get("output_binary", "False").lower() == "true"
    out_dir = Path("result") / f"dumpOutput_device{flags.get('device_id', '0')}"
    out_dir.mkdir(parents=True, exist_ok=True)
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    lines = Path(flags["input_text_path"]).read_text().split("\n")
    count = 0
    for line in filter(None, lines):
        _, path, _, _ = line.split()
        plane = np.fromfile(path, dtype="<f4").reshape(1, 1, height, width)
        (output,) = session.run(None, {"input.1": plane})
        stem = Path(path).stem
        if binary:
            output.astype("<f4").tofile(out_dir / f"{stem}_1.bin")
        else:
            (out_dir / f"{stem}_1.txt").write_text(" ".join(f"{v:.8g}" for v in output.ravel()) + "\n")
        count += 1
    print("[e2e] throughputRate: 0.0, latency: 0.0  (emulator: no timing)")
    print(f"[infer] throughputRate: 0.0, Interface throughputRate: 0.0, moduleLatency: 0.0  ({count} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
