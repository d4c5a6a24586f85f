"""What a recorded tool log must hold before its figure is gated: the lines its tool always writes, and
the batch size the log itself states.

A log cut short (a copy stopped mid-file, a job killed while writing) still matches a parser's pattern
when the cut falls after the figure's first digits: ``Interface throughputRate: 34`` would be gated as
34 images/s. So each format's lines that the tool always writes after the figure are required too; a
file lacking any is refused with one line naming what is missing.

- ``benchmark`` dataset run (``perf_vision_batchsize_{B}_device_{D}.txt``, Ascend/ModelZoo-PyTorch
  ``ACL_PyTorch`` READMEs, e.g. "benchmark工具在整个数据集上推理后生成result/perf_vision_batchsize_1_device_0.txt"):
  always five stage lines, ``[e2e] throughputRate: a, latency: b``, ``[data read]`` and ``[preprocess]``
  ``throughputRate: a, moduleLatency: b``, ``[infer] throughputRate: a, Interface throughputRate: X,
  moduleLatency: m`` and ``[post] throughputRate: a, moduleLatency: b`` (``[inference]`` / ``[postprocess]``
  on 310P builds).
- ``benchmark`` pure inference (``PureInfer_perf_of_{om}_in_device_{D}.txt``, "ave_throughputRate =
  244.742samples/s, ave_latency = 4.15733ms" as ModelZoo READMEs quote it; printed as ``[INFO]
  ave_throughputRate: Xsamples/s, ave_latency: Yms``): both figures, each with its unit.
- ais_bench / ais_infer Performance Summary (Ascend/tools ``ais-bench_workload/tool/ais_bench/ais_bench/
  infer/summary.py`` ``Summary.report``, commit 9d6da90f): the ``-----------------Performance
  Summary------------------`` line, ``NPU_compute_time (ms): min = .., max = .., mean = .., median = ..,
  percentile(99%) = ..`` and the ``throughput ...: X`` line (H2D/D2H lines only with
  ``--display_all_summary``, so optional); the printed throughput must equal 1000 x batch / mean.
- trtexec (NVIDIA/TensorRT ``samples/common/sampleReporting.cpp`` ``printEpilog``: "GPU Compute Time: "
  << toPerfString(...) then "D2H Latency", "Total Host Walltime", "Total GPU Compute Time: ... s"):
  the ``GPU Compute Time:`` line ending in ``ms`` and ``Total GPU Compute Time: N s`` after it; TensorRT 7's
  ``[I] GPU Compute`` block ends with ``total compute time: N s``. A log that opens with the
  ``&&&& RUNNING TensorRT.trtexec`` banner (``logging.h`` ``defineTest``) must close with ``&&&& PASSED``.
"""
from __future__ import annotations

import re

_N = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_STATS = rf"min = {_N}, max = {_N}, mean = {_N}, median = {_N}, percentile\(\d+(?:\.\d+)?%\) = {_N}"
_STAGES = (
    ("complete '[e2e]' line", rf"^\s*\[e2e\] throughputRate: {_N}, latency: {_N}\s*$"),
    ("complete '[data read]' line", rf"^\s*\[data read\] throughputRate: {_N}, moduleLatency: {_N}\s*$"),
    ("complete '[preprocess]' line", rf"^\s*\[preprocess\] throughputRate: {_N}, moduleLatency: {_N}\s*$"),
    ("complete '[infer]' (or '[inference]') line",
     rf"^\s*\[infer(?:ence)?\] throughputRate: {_N}, Interface throughputRate: {_N}, moduleLatency: {_N}\s*$"),
    ("complete '[post]' (or '[postprocess]') line",
     rf"^\s*\[post(?:process)?\] throughputRate: {_N}, moduleLatency: {_N}\s*$"),
)
_PURE = rf"ave_throughputRate\s*[:=]\s*{_N}\s*samples/s,\s*ave_latency\s*[:=]\s*{_N}\s*ms"
_AIS = (
    ("'Performance Summary' line", r"-+Performance Summary-+"),
    ("complete 'NPU_compute_time (ms): min = .., percentile(99%) = ..' line", rf"NPU_compute_time \(ms\): {_STATS}"),
    ("'throughput ...: X' line", rf"^[^\n]*?\bthroughput [^\n]*\): {_N}\s*$"),
)
_TRT_NEW = (
    ("complete 'GPU Compute Time: min = .. ms, ..., percentile(..) = .. ms' line",
     rf"^(?:\[[^\]\n]*\]\s*)*GPU Compute Time: min = {_N} ms, [^\n]*percentile\([^)]*\) = {_N} ms\s*$"),
    ("'Total GPU Compute Time: N s' line", rf"^(?:\[[^\]\n]*\]\s*)*Total GPU Compute Time: {_N} s\s*$"),
)
_TRT_OLD = (("'[I] GPU Compute' block ending 'total compute time: N s'",
             rf"\]\s*GPU Compute\s*$.*?\]\s*mean: {_N} ms.*?\]\s*total compute time: {_N} s\s*$"),)


def missing_lines(kind: str, text: str) -> list[str]:
    """What ``text`` lacks of the lines its tool always writes (empty: complete)."""
    if kind == "perf_vision":
        required = _STAGES
    elif kind == "pure_infer":
        required = (("'ave_throughputRate: Xsamples/s, ave_latency: Yms'", _PURE),)
    elif kind == "ais_bench":
        required = _AIS
    else:
        required = _TRT_NEW if "GPU Compute Time:" in text else _TRT_OLD
    flags = re.MULTILINE | re.DOTALL
    missing = [what for what, pattern in required if not re.search(pattern, text, flags)]
    if kind == "trtexec" and "&&&& RUNNING TensorRT.trtexec" in text and "&&&& PASSED TensorRT.trtexec" not in text:
        missing.append("closing '&&&& PASSED TensorRT.trtexec' line")
    return missing


_CONTENT_BATCH = {
    "trtexec": (r"--shapes=[^\s:]+:(\d+)x", r"Set shape of input tensor \S+ to: (\d+)x", r"--batch=(\d+)\b"),
    "ais_bench": (r"batchsize\.mean\((\d+(?:\.0+)?)\)", r"throughput 1000\*batchsize\((\d+)\)",
                  r"try get model batchsize:(\d+)", r"--batchsize[= ](\d+)\b"),
    "perf_vision": (r"-batch_size=(\d+)\b", r"perf_vision_batchsize_(\d+)_device"),
    "pure_infer": (r"-batch_size=(\d+)\b", r"PureInfer_perf_of_\S*?[_\-.]bs_?(\d+)[_\-.]"),
}


def batch_in_content(kind: str, text: str) -> tuple[int, str] | None:
    """The batch size the log states (``--shapes``, ``batchsize.mean(B)``, ``-batch_size=B``, ...), with the text."""
    for pattern in _CONTENT_BATCH.get(kind, ()):
        match = re.search(pattern, text)
        if match:
            return int(float(match[1])), match[0]
    return None
