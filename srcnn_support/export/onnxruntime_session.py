"""The ONNX Runtime session options of every session the suite opens on the model.

The runner (``backends/onnxruntime.py``), the INT8 calibration (``convert/quantize.py``) and the host's
peak probe (``perf/host.py``) all run ONNX Runtime with these settings, so that what they measure agrees.
"""
from __future__ import annotations


def session_options(threads: int | None = None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # One convolution chain: parallelism comes from inside each op, never from running ops side by side.
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if threads:
        options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return options
