"""Facts about the CPU that decide what its figures can be held to.

Two facts matter to the cpu target's gates. Its int8 class: ONNX Runtime's int8 convolutions run
one instruction per 4-way dot product with VNNI (AVX-512 VNNI or AVX-VNNI) or a tile product with
AMX, but need three (vpmaddubsw, vpmaddwd, vpaddd) with AVX2 alone, so INT8's speed-up over fp32
is a property of the class (measured: 1.9-2.2x with VNNI; 1.3-1.5x on one Zen 3 with AVX2 only, 0.86x on another,
whose ONNX Runtime int8 GEMM is barely faster than fp32).
And its attainable fp32 peak: a nominal figure (cores x clock x FLOP/cycle) is wrong both ways --
boost clocks beat it, and Zen 4 runs AVX-512 on 256-bit units so 16 lanes do not double it -- so
"% of peak" is reported against a measured float32 matrix product in the model's own runtime, with
the nominal beside it.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from srcnn_support.cpuinfo import CPUINFO, cpu_flags, cpu_model, read_cpuinfo  # noqa: F401  (read from here too)

VNNI_FLAGS = ("avx512_vnni", "avx_vnni", "avx_vnni_int8", "amx_int8")

INT8_CLASSES = {
    "vnni": "int8 dot products in one instruction (AVX-512 VNNI, AVX-VNNI or AMX)",
    "avx2": "AVX2 without VNNI: int8 dot products take three instructions",
    "baseline": "no AVX2",
}


BF16_CLASSES = {
    "amx": "AMX-BF16 tile products",
    "avx512_bf16": "AVX-512 BF16 dot products (VDPBF16PS)",
    "none": "no native bf16: a bf16 request runs in f32",
}

FP32_CLASSES = {
    "avx512": "AVX-512 (16 float lanes)",
    "avx2": "AVX2 and FMA (8 float lanes)",
    "baseline": "no AVX2",
}

# Per arithmetic, the first class whose flags the CPU has, else the last (fallback) class. fp32 is
# classed by vector width because that is what decides how two fp32 runtimes' kernels compare.
_CLASS_RULES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "int8": (("vnni", VNNI_FLAGS), ("avx2", ("avx2",)), ("baseline", ())),
    "bf16": (("amx", ("amx_bf16",)), ("avx512_bf16", ("avx512_bf16",)), ("none", ())),
    "fp32": (("avx512", ("avx512f",)), ("avx2", ("avx2",)), ("baseline", ())),
}


def cpu_class(kind: str, flags: frozenset[str] | set[str]) -> str:
    """The class a variant's threshold is chosen by: ``int8``, ``bf16`` or ``fp32`` arithmetic."""
    *ruled, (fallback, _) = _CLASS_RULES[kind]
    return next((cls for cls, needs in ruled if any(flag in flags for flag in needs)), fallback)


def int8_class(flags: frozenset[str] | set[str]) -> str:
    return cpu_class("int8", flags)


def bf16_class(flags: frozenset[str] | set[str]) -> str:
    return cpu_class("bf16", flags)


def fp32_class(flags: frozenset[str] | set[str]) -> str:
    return cpu_class("fp32", flags)


def describe_cpu_class(kind: str, flags: frozenset[str] | set[str]) -> str:
    if kind == "int8":
        return describe_int8_class(flags)
    cls = cpu_class(kind, flags)
    return f"{cls} ({(BF16_CLASSES if kind == 'bf16' else FP32_CLASSES)[cls]})"


def describe_int8_class(flags: frozenset[str] | set[str]) -> str:
    cls = int8_class(flags)
    present = [f for f in (*VNNI_FLAGS, "avx512f", "avx2", "fma") if f in flags]
    return f"{cls} ({INT8_CLASSES[cls]}; flags: {' '.join(present) or 'none of avx2/avx512f/vnni/amx'})"



def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True)
class CpuPeak:
    gflops: float | None
    explanation: str
    contended: str | None = None  # the probe never had the machine to itself: no share is computed from it


def nominal_fp32_peak(cpuinfo: str | None = None, cores: int | None = None, ghz: float | None = None) -> CpuPeak:
    """cores x GHz x FLOP/cycle, assuming 2 FMA units of the widest vector the flags name."""
    text = read_cpuinfo() if cpuinfo is None else cpuinfo
    flags = cpu_flags(text)
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4
    has_fma = "fma" in flags or "avx512f" in flags
    flop_per_cycle = 2 * lanes * 2 if has_fma else 2 * lanes
    cores = cores or usable_cores()
    ghz = ghz if ghz is not None else _cpu_ghz(text)
    if ghz is None:
        return CpuPeak(None, "CPU frequency unknown")
    isa = "AVX-512" if lanes == 16 else "AVX2" if lanes == 8 else "SSE"
    units = "2 FMA units" if has_fma else "no FMA"
    return CpuPeak(cores * ghz * flop_per_cycle,
                   f"{cores} cores x {ghz:.2f} GHz x {flop_per_cycle} FLOP/cycle ({isa}, {units} assumed)")


def _cpu_ghz(cpuinfo: str) -> float | None:
    try:
        return int(Path("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").read_text()) / 1e6
    except (OSError, ValueError):
        pass
    match = re.search(r"^cpu MHz\s*:\s*([\d.]+)", cpuinfo, re.MULTILINE)
    return float(match[1]) / 1000.0 if match else None


PROBE_SIZE = 1024
PROBE_REPEATS = 20


@lru_cache(maxsize=1)
def measured_fp32_peak(size: int = PROBE_SIZE, repeats: int = PROBE_REPEATS) -> CpuPeak:
    """Best rate of a float32 matrix product in ONNX Runtime, with the model's session options (~0.2 s).

    The runtime that runs the model, not another BLAS: measured on this Zen 5 VM, ONNX Runtime's
    MatMul reached 470 GFLOP/s while torch.mm (MKL, which takes its AVX2 path on AMD) and numpy
    (OpenBLAS pinned to Haswell kernels by OPENBLAS_CORETYPE here) read 212-215, below the model's
    own 375. The best of several calls, not the mean: a shared VM's slow spells only lower a sample.
    """
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper

    from srcnn_support.export.onnxruntime_session import session_options

    rng = np.random.default_rng(0)
    weight = helper.make_tensor("b", TensorProto.FLOAT, [size, size], rng.random(size * size, dtype=np.float32))
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "fp32_peak_probe",
                              [helper.make_tensor_value_info("a", TensorProto.FLOAT, [size, size])],
                              [helper.make_tensor_value_info("c", TensorProto.FLOAT, [size, size])], [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    cores = usable_cores()
    session = ort.InferenceSession(model.SerializeToString(), session_options(cores),
                                   providers=["CPUExecutionProvider"])
    feed = {"a": rng.random((size, size), dtype=np.float32)}
    session.run(None, feed)

    from srcnn_support.perf.contention import measure_alone

    timed = measure_alone(lambda: _best_of(lambda: session.run(None, feed), repeats))
    alone = f", other processes {timed.other_share:.0%}" if timed.other_share is not None else ""
    return CpuPeak(
        2.0 * size**3 / timed.value / 1e9,
        f"float32 {size}x{size} MatMul in ONNX Runtime {ort.__version__}, best of {repeats}, {cores} threads{alone}",
        timed.contended,
    )


BF16_PROBE_SIZES = (1024, 1536, 2048)


@lru_cache(maxsize=1)
def measured_bf16_peak(sizes: tuple[int, ...] = BF16_PROBE_SIZES, repeats: int = 10) -> CpuPeak:
    """Best rate of a bfloat16 matrix product where the CPU runs bf16 natively (the base of a bf16 runtime's share
    of peak); PyTorch's CPU matmul in bf16 goes through oneDNN, which takes AMX or AVX-512 BF16 where present.

    Three sizes, the best of all: on 2-vCPU AMX Xeons the same 1024^2 probe read 226 GFLOP/s in four processes in
    a row and 1069 in another (the operands are reordered into tiles on every call), 1536^2 and 2048^2 400-470.
    Where the probe still reads below a runtime's own rate, ``method.share_of_measured_peak`` gives no share.
    """
    flags = cpu_flags()
    if bf16_class(flags) == "none":
        return CpuPeak(None, f"no bf16 peak: {BF16_CLASSES['none']}")
    import torch

    from srcnn_support.perf.contention import measure_alone

    generator = torch.Generator().manual_seed(0)

    def best_rate() -> tuple[float, int]:
        rates = []
        for size in sizes:
            a, b = (torch.rand((size, size), generator=generator).to(torch.bfloat16) for _ in range(2))
            torch.matmul(a, b)
            rates.append((2.0 * size**3 / _best_of(lambda a=a, b=b: torch.matmul(a, b), repeats) / 1e9, size))
        return max(rates)

    timed = measure_alone(best_rate)
    gflops, size = timed.value
    return CpuPeak(gflops, f"bfloat16 {size}x{size} matmul in PyTorch {torch.__version__} (oneDNN), best of "
                           f"{repeats} at {' and '.join(f'{s}^2' for s in sizes)}, {torch.get_num_threads()} threads "
                           f"({describe_cpu_class('bf16', flags)})", timed.contended)


def _best_of(call, repeats: int) -> float:
    """The fastest of ``repeats`` timed calls: a peak probe wants what the hardware can do, not the average."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best
