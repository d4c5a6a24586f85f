"""OpenVINO on the CPU: the exported ONNX compiled by OpenVINO's CPU plugin, f32 or bf16.

``openvino`` compiles with ``INFERENCE_PRECISION_HINT=f32`` and must equal PyTorch to 1e-4 like every fp32 port.
``openvino-bf16`` asks for ``bf16``: on a CPU with AMX-BF16 or AVX-512 BF16 the plugin then runs the convolutions
in bfloat16 (8-bit mantissa), judged by the reduced-precision rules. Elsewhere OpenVINO would silently keep f32
(its CPU plugin documents bf16 as a hint that is honoured only where the ISA has it), which would publish an f32
figure under a bf16 name, so the backend is offered only where the flags say bf16 runs natively.

The plugin reshapes the free-shape model for every new input shape it sees (``compile_model`` on the dynamic
model keeps the shape dynamic), so one compiled model serves every batch and image size.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.backends.base import Runner, RunnerInfo
from srcnn_support.errors import MissingRuntimeError

BF16_FLAGS = ("amx_bf16", "avx512_bf16")
PRECISION_HINTS = {"fp32": "f32", "bf16": "bf16"}


def missing_openvino() -> str | None:
    try:
        import openvino  # noqa: F401
    except ImportError:
        return "python package 'openvino' is not installed (pip install openvino)"
    return None


def missing_native_bf16(cpuinfo: str | None = None) -> str | None:
    """None where the CPU runs bf16 natively (AMX-BF16 or AVX-512 BF16), else why the bf16 backend is not offered."""
    from srcnn_support.cpuinfo import cpu_flags, cpu_model

    missing = missing_openvino()
    if missing:
        return missing
    flags = cpu_flags(cpuinfo)
    if any(flag in flags for flag in BF16_FLAGS):
        return None
    return (f"this CPU ({cpu_model(cpuinfo)}) has neither AMX-BF16 nor AVX-512 BF16 (flags {' / '.join(BF16_FLAGS)} "
            "absent): OpenVINO would run f32 under a bf16 name")


class OpenVinoRunner(Runner):
    name = "openvino"

    def __init__(self, onnx_path: Path, precision: str = "fp32", threads: int | None = None,
                 name: str | None = None) -> None:
        super().__init__()
        self.onnx_path, self.precision, self.threads = Path(onnx_path), precision, threads
        if name:
            self.name = name
        self._request = None
        self._compiled = None
        self.granted_precision: str | None = None

    def activate_impl(self) -> None:
        try:
            import openvino as ov
        except ImportError:
            raise MissingRuntimeError(self.name, missing_openvino()) from None
        core = ov.Core()
        config = {"INFERENCE_PRECISION_HINT": PRECISION_HINTS[self.precision],
                  "PERFORMANCE_HINT": "LATENCY", "EXECUTION_MODE_HINT": "PERFORMANCE"}
        if self.threads:
            config["INFERENCE_NUM_THREADS"] = self.threads
        self._compiled = core.compile_model(str(self.onnx_path), "CPU", config)
        granted = self._compiled.get_property("INFERENCE_PRECISION_HINT")  # an ov.Type: f32, bf16
        self.granted_precision = getattr(granted, "to_string", lambda: str(granted))()
        if self.granted_precision != PRECISION_HINTS[self.precision]:
            raise MissingRuntimeError(self.name, f"OpenVINO's CPU plugin granted {self.granted_precision} where "
                                                 f"{PRECISION_HINTS[self.precision]} was asked")
        self._request = self._compiled.create_infer_request()

    def infer_impl(self, batch: np.ndarray) -> np.ndarray:
        result = self._request.infer({0: batch})
        return np.asarray(next(iter(result.values())), dtype=np.float32)

    def deactivate_impl(self) -> None:
        self._request = None
        self._compiled = None

    def info(self) -> RunnerInfo:
        import openvino as ov

        return RunnerInfo(self.name, self.precision, {"openvino": ov.get_version()},
                          {"device": "CPU", "inference_precision": self.granted_precision or "not compiled yet",
                           "model": self.onnx_path.name})
