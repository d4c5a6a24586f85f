"""The backend registry: every backend the suite knows, once, with what it takes to build and judge it.

Everything that lists backends (the accuracy gate's parametrisation, the full-size protocol, the runner
factory, the CLI) reads this table; the order of ``REGISTRY`` is the order tests and results use.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from srcnn_support.backends import builders as b
from srcnn_support.backends.cuda import missing_cuda_runtime, missing_onnxruntime_cuda
from srcnn_support.backends.openvino import missing_native_bf16, missing_openvino
from srcnn_support.backends.tensorrt import missing_tensorrt_runtime
from srcnn_support.backends.torch_cuda import missing_torch_cuda


@dataclass(frozen=True)
class Backend:
    name: str
    artifact: str  # what its runner is given, and who builds it
    precision: str
    fixed_batch: bool  # one model per batch size (ATC); full-size images go through tiling
    equals_pytorch: bool | None  # max-abs 1e-4 to PyTorch fp32; None: decided by how the artifact was built
    build: Callable = b.build_pytorch
    missing: Callable[[bool], str | None] = lambda given_om: None  # what this machine lacks to run it
    accuracy_gate: bool = True  # parametrised in the accuracy gate
    full_size: bool = True  # runs the full-size protocol
    recorded_tools: tuple[str, ...] = ()  # tools whose recorded perf files gate it (perf/recorded_logs.py kinds)


REGISTRY = (
    Backend("pytorch", "the weights (the live reference)", "fp32", False, True, b.build_pytorch),
    Backend("onnxruntime", "ONNX export (export/)", "fp32", False, True, b.build_onnxruntime),
    Backend("ascend-om", "ATC .om per batch size (convert/atc.py) or --om", "ATC --precision_mode", True, None,
            b.build_ascend_om, b.missing_ascend_om, recorded_tools=("perf_vision", "ais_bench", "pure_infer")),
    Backend("tensorrt", "TensorRT engine (convert/trt_engine.py)", "fp16", False, None, b.build_tensorrt,
            lambda given_om: missing_tensorrt_runtime(), full_size=False, recorded_tools=("trtexec",)),
    Backend("onnxruntime-fp16", "fp16 ONNX (convert/quantize.py)", "fp16", False, False,
            b.build_onnxruntime_quantized),
    Backend("onnxruntime-int8", "int8 ONNX (convert/quantize.py)", "int8", False, False,
            b.build_onnxruntime_quantized),
    Backend("openvino", "ONNX export compiled by OpenVINO's CPU plugin, f32 (backends/openvino.py)", "fp32", False,
            True, b.build_openvino, lambda given_om: missing_openvino()),
    Backend("openvino-bf16", "ONNX export compiled by OpenVINO's CPU plugin, bf16 where the CPU has it", "bf16",
            False, False, b.build_openvino, lambda given_om: missing_native_bf16()),
    Backend("torch-cuda-fp16", "the weights, on a CUDA GPU", "fp16", False, False, b.build_torch_cuda,
            lambda given_om: missing_torch_cuda()),
    Backend("torch-cuda-tf32", "the weights, on a CUDA GPU", "tf32", False, False, b.build_torch_cuda,
            lambda given_om: missing_torch_cuda()),
    Backend("cuda", "the best installed CUDA runtime (perf targets)", "fp16", False, False, b.build_cuda,
            lambda given_om: missing_cuda_runtime(), accuracy_gate=False, full_size=False),
    Backend("onnxruntime-cuda", "ONNX export, CUDA execution provider (perf targets)", "fp32", False, False,
            b.build_onnxruntime_cuda, lambda given_om: missing_onnxruntime_cuda(), accuracy_gate=False,
            full_size=False),
)
BY_NAME = {backend.name: backend for backend in REGISTRY}


def backend(name: str) -> Backend:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}") from None


def names(**wanted) -> tuple[str, ...]:
    """Backend names whose fields equal ``wanted``, in registry order."""
    return tuple(x.name for x in REGISTRY if all(getattr(x, key) == value for key, value in wanted.items()))


ACCURACY_BACKENDS = names(accuracy_gate=True)
# Reduced precision by construction (int8, fp16, TF32's 10-bit mantissa): max-abs to PyTorch fp32 is reported,
# not gated at 1e-4; the mean standard PSNR must stay within 0.1 dB of fp32 instead.
QUANTIZED_BACKENDS = names(accuracy_gate=True, equals_pytorch=False)
# Whole images where the input shape is free, then fixed-shape models as 256 x 256 tiles (backends/tiling.py).
FULL_SIZE_BACKENDS = names(full_size=True, fixed_batch=False) + names(full_size=True, fixed_batch=True)
# The exact (fp32, equal to PyTorch within 1e-4) CPU backends, fastest first, as the suite's interleaved peer
# table measured them on every CPU class it ran on (decision 0012): OpenVINO f32 1.05-1.11 x ONNX Runtime fp32,
# PyTorch eager about 0.7 x. Every perf run measures the order again and the report says where it disagrees.
FASTEST_EXACT_FIRST = ("openvino", "onnxruntime", "pytorch")


def fastest_exact_backend() -> str:
    """The fastest exact backend this machine can run: the full-size protocol's fp32 figures come from it."""
    return next(name for name in FASTEST_EXACT_FIRST if not backend(name).missing(False))


TORCH_CUDA_BACKENDS = tuple(x.name for x in REGISTRY if x.build is b.build_torch_cuda)
