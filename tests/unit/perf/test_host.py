"""CPU facts behind the cpu target's gates: the int8 class read from the flags, and both peaks."""
import math

import pytest

from srcnn_support.gate.config import TARGETS_FILE
from srcnn_support.gate.targets import load_targets
from srcnn_support.perf.host import (
    bf16_class,
    cpu_class,
    cpu_flags,
    describe_cpu_class,
    int8_class,
    measured_fp32_peak,
    nominal_fp32_peak,
)

# Flags lines as /proc/cpuinfo prints them (shortened to the relevant ones).
ZEN3 = "flags\t\t: fpu sse2 avx fma avx2 bmi2 sha_ni\n"
ZEN4 = "flags\t\t: fpu avx fma avx2 avx512f avx512bw avx512_vnni avx512_bf16\n"
ALDER_LAKE = "flags\t\t: fpu avx fma avx2 avx_vnni\n"
SAPPHIRE_RAPIDS = "flags\t\t: fpu avx2 fma avx512f avx512_vnni amx_tile amx_int8 amx_bf16\n"
OLD_XEON = "flags\t\t: fpu sse2 sse4_2 avx\n"


@pytest.mark.parametrize("cpuinfo, expected", [(ZEN3, "avx2"), (ZEN4, "vnni"), (ALDER_LAKE, "vnni"),
                                                (SAPPHIRE_RAPIDS, "vnni"), (OLD_XEON, "baseline"), ("", "baseline")])
def test_int8_class_from_flags(cpuinfo, expected):
    assert int8_class(cpu_flags(cpuinfo)) == expected


def test_nominal_peak_counts_lanes_and_fma():
    assert nominal_fp32_peak(ZEN3, cores=2, ghz=2.45).gflops == pytest.approx(2 * 2.45 * 32)  # issue 11's 157
    assert nominal_fp32_peak(ZEN4, cores=2, ghz=2.3).gflops == pytest.approx(2 * 2.3 * 64)
    assert nominal_fp32_peak(OLD_XEON, cores=1, ghz=2.0).gflops == pytest.approx(2.0 * 8)


def test_measured_peak_is_a_real_matrix_product_rate():
    peak = measured_fp32_peak()
    assert math.isfinite(peak.gflops) and peak.gflops > 1.0
    assert "MatMul in ONNX Runtime" in peak.explanation and "threads" in peak.explanation


def test_int8_speedup_thresholds_exist_per_class_with_provenance():
    int8 = next(v for v in load_targets(TARGETS_FILE)["cpu"].variants if v.backend == "onnxruntime-int8")
    vnni, avx2 = int8.threshold_for("vnni"), int8.threshold_for("avx2")
    assert vnni.min_speedup > 1.0 > avx2.min_speedup > 0.5  # AVX2 without VNNI: a floor, not a speed-up claim
    assert "Zen 4" in vnni.provenance and "Zen 3" in avx2.provenance
    assert int8.threshold_for("baseline") is None  # no measurement: recorded, not gated


@pytest.mark.parametrize("cpuinfo, expected", [(ZEN3, "none"), (ZEN4, "avx512_bf16"), (ALDER_LAKE, "none"),
                                               (SAPPHIRE_RAPIDS, "amx")])
def test_bf16_class_from_flags(cpuinfo, expected):
    flags = cpu_flags(cpuinfo)
    assert bf16_class(flags) == cpu_class("bf16", flags) == expected
    assert cpu_class("int8", flags) == int8_class(flags)


def test_the_bf16_variant_is_gated_on_amx_only_and_chosen_by_the_bf16_class():
    bf16 = next(v for v in load_targets(TARGETS_FILE)["cpu"].variants if v.backend == "openvino-bf16")
    assert bf16.cpu_class_kind == "bf16" and bf16.gated_batch_sizes == (1,)
    assert bf16.threshold_for("amx").min_speedup > 1.0 and "issue 23" in bf16.threshold_for("amx").provenance
    assert bf16.threshold_for("avx512_bf16") is None and bf16.threshold_for("none") is None


def test_the_bf16_peak_is_measured_only_where_the_cpu_runs_bf16(monkeypatch):
    from srcnn_support.perf import host

    monkeypatch.setattr(host, "cpu_flags", lambda: cpu_flags(ZEN3))
    host.measured_bf16_peak.cache_clear()
    absent = host.measured_bf16_peak()
    assert absent.gflops is None and "no native bf16" in absent.explanation
    monkeypatch.setattr(host, "cpu_flags", lambda: cpu_flags(SAPPHIRE_RAPIDS))
    host.measured_bf16_peak.cache_clear()
    measured = host.measured_bf16_peak(sizes=(128,), repeats=2)  # emulated where the CPU lacks bf16, still a real rate
    host.measured_bf16_peak.cache_clear()
    assert measured.gflops > 0 and "bfloat16 128x128 matmul in PyTorch" in measured.explanation
    assert "amx (AMX-BF16 tile products)" in measured.explanation


@pytest.mark.parametrize("cpuinfo, expected", [(ZEN3, "avx2"), (ZEN4, "avx512"), (ALDER_LAKE, "avx2"),
                                               (SAPPHIRE_RAPIDS, "avx512")])
def test_fp32_class_from_flags(cpuinfo, expected):
    flags = cpu_flags(cpuinfo)
    assert cpu_class("fp32", flags) == expected and expected in describe_cpu_class("fp32", flags)


def test_the_fastest_exact_runtime_has_a_floor_on_every_fp32_class():
    openvino = next(v for v in load_targets(TARGETS_FILE)["cpu"].variants if v.backend == "openvino")
    assert openvino.cpu_class_kind == "fp32" and openvino.gated_batch_sizes == (1,)
    for cls in ("avx2", "avx512"):
        floor = openvino.threshold_for(cls)
        assert 0.8 <= floor.min_speedup < 1.0 and "issue 23" in floor.provenance  # a floor, not a speed-up claim
    assert openvino.threshold_for("baseline") is None


def test_each_runtime_is_held_against_the_peak_of_its_own_arithmetic(monkeypatch):
    from srcnn_support.perf import host
    from srcnn_support.perf.method import peak_share_for

    monkeypatch.setattr(host, "measured_fp32_peak", lambda: host.CpuPeak(400.0, "fp32 MatMul"))
    monkeypatch.setattr(host, "nominal_fp32_peak", lambda: host.CpuPeak(800.0, "nominal"))
    monkeypatch.setattr(host, "measured_bf16_peak", lambda: host.CpuPeak(2000.0, "bf16 matmul"))
    assert peak_share_for("fp32", 100.0) == {"peak_share": 0.25, "peak_share_nominal": 0.125}
    assert peak_share_for("bf16", 500.0) == {"peak_share": 0.25, "peak_of": "bf16 matmul"}
    assert peak_share_for("int8", 500.0) == {"peak_share": None}
    monkeypatch.setattr(host, "measured_bf16_peak", lambda: host.CpuPeak(2000.0, "bf16 matmul", contended="busy"))
    assert peak_share_for("bf16", 500.0)["peak_share"] is None  # a contended probe is no base for a share


def test_a_runtime_faster_than_the_probe_gets_no_share_but_the_reason(monkeypatch):
    from srcnn_support.perf import host
    from srcnn_support.perf.method import peak_share_for

    monkeypatch.setattr(host, "measured_bf16_peak", lambda: host.CpuPeak(318.0, "bf16 matmul"))
    beaten = peak_share_for("bf16", 531.0)
    assert beaten["peak_share"] is None and "531 GFLOP/s is above the probe's 318" in beaten["peak_share_void"]
