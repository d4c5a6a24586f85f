#!/usr/bin/env python3
"""EMULATOR of the Ascend ``benchmark`` tool (the guide's inference tool), for contract tests only.

It is not the Ascend tool and runs no NPU. It reads what the real tool reads and writes what it
writes, in the formats quoted verbatim by the guide and by Ascend/ModelZoo-PyTorch ACL_PyTorch READMEs:

* dataset mode (``-model_type=vision ... -input_text_path=INFO -output_binary=...``): the info file
  and ``.bin`` inputs in, ``result/dumpOutput_device{D}/{stem}_1.bin|.txt`` out, and the five stage
  lines (``[e2e]``, ``[data read]``, ``[preprocess]``, ``[infer] ... Interface throughputRate ...``,
  ``[post]``) printed and written to ``result/perf_vision_batchsize_{B}_device_{D}.txt``;
* pure inference (``-round=N -om_path=... -device_id=D -batch_size=B``): the ``PureInfer Performance
  Summary`` printed and ``ave_throughputRate = Xsamples/s, ave_latency = Yms`` written to
  ``result/PureInfer_perf_of_{om stem}_in_device_{D}.txt``.

Outputs are computed as an fp16 ``.om`` (ATC's default ``force_fp16``) would store them: ONNX
Runtime runs the ONNX model that the ATC emulator packed into the ``.om`` with weights, input and
output rounded to fp16 (accumulation stays fp32, as on the Cube unit); an ``.om`` built with
``force_fp32`` or ``must_keep_origin_dtype`` runs in fp32. The figures it prints are
not measured: ``Interface throughputRate`` is ``$SRCNN_EMULATOR_INTERFACE_FPS`` (default 348.038, the
guide's per-chip rate), so gates can be driven to pass or fail whatever this machine's speed.
"""
import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

FP32_MODES = ("force_fp32", "must_keep_origin_dtype")  # ATC precision modes that keep an fp32 model in fp32


def om_session(om_path: Path) -> tuple[ort.InferenceSession, bool]:
    """The packed ONNX model, rounded to fp16 unless ATC was told to keep fp32; (session, is_fp16)."""
    with zipfile.ZipFile(om_path) as om:
        model = onnx.load_model(io.BytesIO(om.read("model.onnx")))
        names = om.namelist()
        flags = json.loads(om.read("atc_flags.json")) if "atc_flags.json" in names else {}
    fp16 = flags.get("--precision_mode", "force_fp16") not in FP32_MODES
    for tensor in model.graph.initializer if fp16 else ():
        rounded = numpy_helper.to_array(tensor).astype(np.float16).astype(np.float32)
        tensor.CopyFrom(numpy_helper.from_array(rounded, tensor.name))
    for value in list(model.graph.input) + list(model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "N"  # run only the real images of a short last batch
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]), fp16


def stored(array: np.ndarray, fp16: bool) -> np.ndarray:
    return array.astype(np.float16).astype(np.float32) if fp16 else array


def interface_fps(device: str) -> float:
    """``$SRCNN_EMULATOR_INTERFACE_FPS``: one rate, or one per device id (``320,320,320,290``)."""
    rates = os.environ.get("SRCNN_EMULATOR_INTERFACE_FPS", "348.038").split(",")
    return float(rates[int(device)] if len(rates) > 1 else rates[0])


def dataset_mode(flags: dict, om_path: Path, device: str, batch: int) -> int:
    width, height = int(flags["input_width"]), int(flags["input_height"])
    binary = flags.get("output_binary", "False").lower() == "true"
    out_dir = Path("result") / f"dumpOutput_device{device}"
    out_dir.mkdir(parents=True, exist_ok=True)
    session, fp16 = om_session(om_path)
    input_name = session.get_inputs()[0].name
    paths = [line.split()[1] for line in Path(flags["input_text_path"]).read_text().splitlines() if line.strip()]
    started = time.perf_counter()
    for first in range(0, len(paths), batch):
        chunk = paths[first:first + batch]
        planes = np.stack([np.fromfile(p, dtype="<f4").reshape(1, height, width) for p in chunk])
        (outputs,) = session.run(None, {input_name: stored(planes, fp16)})
        for path, output in zip(chunk, stored(outputs, fp16), strict=False):
            target = out_dir / f"{Path(path).stem}_1"
            if binary:
                output.astype("<f4").tofile(target.with_suffix(".bin"))
            else:
                target.with_suffix(".txt").write_text(" ".join(f"{v:.8g}" for v in output.ravel()) + "\n")
    elapsed_ms = (time.perf_counter() - started) * 1000.0
    rate, e2e = interface_fps(device), len(paths) * 1000.0 / max(elapsed_ms, 1e-3)
    lines = [
        f"[e2e] throughputRate: {e2e:.6g}, latency: {elapsed_ms:.6g}",
        f"[data read] throughputRate: {e2e:.6g}, moduleLatency: {1000.0 / e2e:.6g}",
        f"[preprocess] throughputRate: {e2e:.6g}, moduleLatency: {1000.0 / e2e:.6g}",
        f"[infer] throughputRate: {e2e:.6g}, Interface throughputRate: {rate:.6g}, moduleLatency: {1000.0 / rate:.6g}",
        f"[post] throughputRate: {e2e:.6g}, moduleLatency: {1000.0 / e2e:.6g}",
    ]
    Path("result", f"perf_vision_batchsize_{batch}_device_{device}.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def pure_infer_mode(om_path: Path, device: str) -> int:
    rate = interface_fps(device)
    summary = f"ave_throughputRate = {rate:.6g}samples/s, ave_latency = {1000.0 / rate:.6g}ms"
    name = f"PureInfer_perf_of_{om_path.stem}_in_device_{device}.txt"
    Path("result").mkdir(exist_ok=True)
    Path("result", name).write_text(summary + "\n")
    print(f"[INFO] PureInfer result saved in ./result/{name}")
    print("-----------------PureInfer Performance Summary------------------")
    print(f"[INFO] ave_throughputRate: {rate:.6g}samples/s, ave_latency: {1000.0 / rate:.6g}ms")
    print("----------------------------------------------------------------")
    return 0


def main(argv):
    flags = dict(arg.lstrip("-").split("=", 1) for arg in argv if "=" in arg)
    om_path = Path(flags.get("om_path", ""))
    if not om_path.is_file() or not zipfile.is_zipfile(om_path):
        print(f"[ERROR] om_path {om_path} is not a model written by the ATC emulator", file=sys.stderr)
        return 1
    device, batch = flags.get("device_id", "0"), int(flags.get("batch_size", "1"))
    if "input_text_path" in flags:
        return dataset_mode(flags, om_path, device, batch)
    if "round" in flags:
        return pure_infer_mode(om_path, device)
    print("[ERROR] give -input_text_path (dataset mode) or -round (pure inference)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
