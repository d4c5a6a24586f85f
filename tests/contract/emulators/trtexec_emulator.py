#!/usr/bin/env python3
"""EMULATOR of NVIDIA ``trtexec`` (TensorRT 8.6, 10 and 11 option sets), for contract tests only.

It builds no engine and touches no GPU: its "plan" is a header line plus the ONNX model it would
have built (converted to fp16 for ``--fp16``), and its outputs are computed by ONNX Runtime. What
it reproduces is the contract, from NVIDIA/TensorRT at v8.6.1, v10.16 and v11.1:

- banner ``&&&& RUNNING TensorRT.trtexec [TensorRT v<N>] # trtexec <args>`` (``logging.h``
  ``defineTest``/``reportTestResult``; ``N`` = 8601 on 8.6.1, major*10000+minor*100+patch from
  10, plus `` [b<build>]`` on 11), closing ``&&&& PASSED`` / ``&&&& FAILED`` line and exit status;
- ``Unknown option: <name> <value>`` (``trtexec.cpp`` ``parseArgs``) for an option the version
  lacks: ``--fp16`` on 11 (strongly typed networks), ``--includeDataTransfers`` before 11;
- ``--loadInputs=name:file`` size check message (``sampleUtils.cpp`` ``loadFromFile``);
- ``--exportOutput`` JSON layout and ``dimensions`` string (``sampleReporting.cpp``
  ``exportJSONOutput``, ``sampleOptions.h`` ``operator<<(Dims)``), values printed as C++ streams
  print floats (6 significant digits);
- the timing loop: at least ``--iterations`` queries *and* ``--duration`` s (+ ``--warmUp`` ms),
  defaults 10 / 3 s / 200 ms (``sampleOptions.h``, ``sampleInference.cpp``): this emulator sleeps
  the duration, as the real tool spends it;
- the ``=== Performance summary ===`` lines (``sampleReporting.cpp`` ``toPerfString``).

Test controls (environment): ``TRTEXEC_EMULATOR_VERSION`` (``8.6.1``, ``10.1.0`` default,
``11.1.0``), ``TRTEXEC_EMULATOR_GPU_COMPUTE_MS`` (the GPU compute mean to report; else the ONNX
Runtime time), ``TRTEXEC_EMULATOR_CALLS`` (a file each call's arguments are appended to, as JSON).
"""
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

PLAN_MAGIC = b"SRCNN-TRTEXEC-EMULATOR-PLAN (not a TensorRT engine)\n"
COMMON = {"--onnx", "--saveEngine", "--loadEngine", "--minShapes", "--optShapes", "--maxShapes", "--shapes",
          "--skipInference", "--device", "--loadInputs", "--exportOutput", "--iterations", "--warmUp", "--duration",
          "--avgRuns", "--help", "--verbose", "--separateProfileRun", "--useCudaGraph", "--noDataTransfers",
          "--useSpinWait", "--exportTimes", "--percentile", "--memPoolSize", "--timingCacheFile"}
OPTIONS = {8: COMMON | {"--fp16", "--int8", "--best", "--explicitBatch", "--workspace", "--buildOnly"},
           10: COMMON | {"--fp16", "--int8", "--best", "--bf16", "--stronglyTyped"},
           11: COMMON | {"--stronglyTyped", "--includeDataTransfers", "--noSpinWait", "--noCudaGraph"}}


def log(level, text):
    print(f"[{datetime.now():%m/%d/%Y-%H:%M:%S}] [{level}] {text}", flush=True)


def version():
    major, minor, patch = (int(p) for p in os.environ.get("TRTEXEC_EMULATOR_VERSION", "10.1.0").split("."))
    number = major * 1000 + minor * 100 + patch if major < 10 else major * 10000 + minor * 100 + patch
    build = " [b106]" if major >= 11 else ""
    return major, f"TensorRT.trtexec [TensorRT v{number}]{build}"


def parse(argv):
    options = {}
    for arg in argv:
        key, _, value = arg.partition("=")
        options[key] = value
    return options


def dims(text):
    return tuple(int(d) for d in text.split("x"))


def shape_of(option):
    name, _, value = option.rpartition(":")
    return name, dims(value)


def build(options, major):
    import onnx

    model = onnx.load(options["--onnx"])
    precision = "fp32"
    if "--fp16" in options:
        from onnxruntime.transformers.float16 import convert_float_to_float16

        model, precision = convert_float_to_float16(model, keep_io_types=True), "fp16"
    elif any(t.data_type == onnx.TensorProto.FLOAT16 for t in model.graph.initializer):
        precision = "fp16 (strongly typed from the model)"
    profile = {k: shape_of(options[k]) for k in ("--minShapes", "--optShapes", "--maxShapes") if k in options}
    header = {"version": major, "precision": precision, "profile": profile}
    Path(options["--saveEngine"]).write_bytes(
        PLAN_MAGIC + json.dumps(header).encode() + b"\n" + model.SerializeToString()
    )
    log("I", f"Engine built in 0.1 sec. (emulated, precision {precision})")
    log("I", f"Engine saved to {options['--saveEngine']}")


def load(path, major):
    data = Path(path).read_bytes()
    if not data.startswith(PLAN_MAGIC):
        raise RuntimeError("Engine deserialization failed")
    header_line, model = data[len(PLAN_MAGIC):].split(b"\n", 1)
    header = json.loads(header_line)
    if header["version"] != major:
        raise RuntimeError("The engine plan file is not compatible with this version of TensorRT")
    return header, model


def input_shape(options, header):
    low, high = header["profile"]["--minShapes"][1], header["profile"]["--maxShapes"][1]
    name, shape = shape_of(options["--shapes"]) if "--shapes" in options else header["profile"]["--optShapes"]
    log("I", f"Set shape of input tensor {name} to: {'x'.join(map(str, shape))}")
    if not all(lo <= d <= hi for lo, d, hi in zip(low, shape, high, strict=False)):
        raise RuntimeError(f"IExecutionContext::setInputShape: Error Code 3: API Usage Error (Parameter check failed, "
                           f"condition: dimensions within the optimization profile {low}..{high})")
    return name, shape


def load_input(options, name, shape):
    if "--loadInputs" not in options:
        return np.random.default_rng(0).random(shape, dtype=np.float32)
    given, _, path = options["--loadInputs"].partition(":")
    size = int(np.prod(shape)) * 4
    file_size = os.path.getsize(path)
    if given != name or file_size != size:
        raise RuntimeError(
            f"Unexpected file size for input file: {path}. Note: Input binding size is: {size} bytes but "
            f"the file size is {file_size} bytes. Double check the size and datatype of the provided data."
        )
    return np.fromfile(path, dtype="<f4").reshape(shape)


def export(path, name, values):
    text = ", ".join(f"{v:g}" for v in values.ravel())
    Path(path).write_text(f'[\n  {{ "name" : "{name}"\n  , "dimensions" : "{"x".join(map(str, values.shape))}"\n'
                          f'  , "values" : [ {text} ]\n  }}\n]\n')


def stats(mean):
    return (
        f"min = {mean * 0.93:g} ms, max = {mean * 1.6:g} ms, mean = {mean:g} ms, median = {mean * 0.99:g} ms, "
        f"percentile(90%) = {mean * 1.05:g} ms, percentile(95%) = {mean * 1.08:g} ms, "
        f"percentile(99%) = {mean * 1.15:g} ms"
    )


def infer(options, major):
    import onnxruntime

    header, model = load(options["--loadEngine"], major)
    name, shape = input_shape(options, header)
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: load_input(options, name, shape)}
    started = time.perf_counter()
    output = session.run(None, feed)[0]
    measured_ms = (time.perf_counter() - started) * 1000
    if "--exportOutput" in options:
        export(options["--exportOutput"], session.get_outputs()[0].name, output)
    iterations, duration = int(options.get("--iterations", 10)), float(options.get("--duration", 3))
    warmup_ms = float(options.get("--warmUp", 200))
    time.sleep(duration + warmup_ms / 1000)  # the real loop runs until both minimums are met
    mean = float(os.environ.get("TRTEXEC_EMULATOR_GPU_COMPUTE_MS", measured_ms))
    queries = max(iterations, int(duration * 1000 / mean))
    transfers = 0.0 if major >= 11 else 0.05 * shape[0]
    log("I", "=== Performance summary ===")
    log("I", f"Throughput: {1000 / (mean + transfers):g} qps")
    log("I", f"Latency: {stats(mean + 2 * transfers)}")
    log("I", f"Enqueue Time: {stats(mean * 0.2)}")
    log("I", f"H2D Latency: {stats(transfers) if transfers else stats(0)}")
    log("I", f"GPU Compute Time: {stats(mean)}")
    log("I", f"D2H Latency: {stats(transfers) if transfers else stats(0)}")
    log("I", f"Total Host Walltime: {queries * (mean + transfers) / 1000:g} s")
    log("I", f"Total GPU Compute Time: {queries * mean / 1000:g} s")


def main(argv):
    major, name = version()
    print(f"&&&& RUNNING {name} # trtexec {' '.join(argv)}", flush=True)
    if os.environ.get("TRTEXEC_EMULATOR_CALLS"):
        with open(os.environ["TRTEXEC_EMULATOR_CALLS"], "a") as calls:
            calls.write(json.dumps(argv) + "\n")
    options = parse(argv)
    if "--help" in options:
        print("=== Model Options ===  (emulator: usage text omitted)")
        print(f"&&&& PASSED {name} # trtexec {' '.join(argv)}")
        return 0
    unknown = [k for k in options if k not in OPTIONS[major]]
    try:
        for key in unknown:
            log("E", f"Unknown option: {key} {options[key]}")
        if unknown:
            raise RuntimeError("Options could not be parsed")
        if "--onnx" in options:
            build(options, major)
            if "--skipInference" in options:
                log("I", "Skipped inference phase since --skipInference is added.")
                print(f"&&&& PASSED {name} # trtexec {' '.join(argv)}")
                return 0
            options["--loadEngine"] = options["--saveEngine"]
        infer(options, major)
    except (RuntimeError, OSError, KeyError, ValueError) as exc:
        log("E", str(exc))
        print(f"&&&& FAILED {name} # trtexec {' '.join(argv)}")
        return 1
    print(f"&&&& PASSED {name} # trtexec {' '.join(argv)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
