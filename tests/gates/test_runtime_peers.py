"""A runtime peer table in every cpu perf run (perf/peers.py): images/s of every CPU runtime this machine has,
timed interleaved in this session on the same batch, beside ONNX Runtime fp32 (the target's backend). Recorded in
the results JSON (``meta.runtime_peers``, the fastest exact and reduced in ``meta.cpu_fastest``) and the report;
not gated here: each runtime's ratio to ONNX Runtime fp32 is gated by its variant in test_perf.py.
"""
from __future__ import annotations

from contextlib import ExitStack

import pytest

from srcnn_support.backends.factory import missing_backend_runtime
from srcnn_support.backends.registry import fastest_exact_backend
from srcnn_support.perf.contention import measure_alone
from srcnn_support.perf.method import batch_of
from srcnn_support.perf.peers import fastest_by_role, interleaved_calls, peer_rows

pytestmark = [pytest.mark.perf, pytest.mark.usefixtures("alone_on_host")]

PEERS = ("onnxruntime", "onnxruntime-int8", "openvino", "openvino-bf16", "pytorch")
PEER_BATCH = 1


def test_cpu_runtimes_side_by_side(perf_target, perf_variant_runner, prepared, recorder, gate):
    if perf_target.name != "cpu":
        pytest.skip(f"the runtime peer table compares CPU runtimes; target {perf_target.name} is a device")
    absent = {name: missing_backend_runtime(name) for name in PEERS}
    if gate.calibration_dir is None:
        absent["onnxruntime-int8"] = "no INT8 calibration images found"
    batch = batch_of(prepared, PEER_BATCH)
    with ExitStack() as opened:
        runners = {name: opened.enter_context(perf_variant_runner(name, PEER_BATCH).runner)
                   for name in PEERS if not absent[name]}
        timed = measure_alone(lambda: interleaved_calls({name: (lambda r=r: r.infer(batch))
                                                         for name, r in runners.items()}))
        infos = {name: runner.info() for name, runner in runners.items()}
    from srcnn_support.perf.host import measured_bf16_peak, measured_fp32_peak

    peaks = {"fp32": measured_fp32_peak(), "bf16": measured_bf16_peak()}
    rows = peer_rows(timed.value, PEER_BATCH, {name: info.precision for name, info in infos.items()},
                     {name: info.versions for name, info in infos.items()}, perf_target.backend,
                     {precision: None if peak.contended else peak.gflops for precision, peak in peaks.items()})
    for row in rows:
        row.update(timed.as_row())
    recorder.meta.cpu_fastest.update(fastest_by_role(rows, fastest_exact_backend()))
    rows += [{"backend": name, "absent": why} for name, why in absent.items() if why]
    recorder.meta.runtime_peers.extend(rows)
    bf16 = peaks["bf16"]
    recorder.meta.cpu_peak_bf16 = f"{bf16.gflops:.0f} GFLOP/s ({bf16.explanation})" if bf16.gflops else None
    assert all(row["images_per_s"] > 0 for row in rows if "images_per_s" in row)
    assert perf_target.backend in runners, f"the target's backend {perf_target.backend} could not run"
