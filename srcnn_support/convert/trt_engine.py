"""TensorRT engines, built once through the artifact cache by trtexec or the Python API.

An engine is specific to the TensorRT version and the GPU model, so both are in the cache key
beside the ONNX bytes, the precision and the optimisation profile. fp16 follows the version: up
to 10 the fp32 ONNX model is built with the fp16 builder flag (the guide's ``trtexec --fp16``);
11 has no such flag (networks are strongly typed), so it builds the project's fp16 ONNX model
(fp16 weights and compute, fp32 I/O, see ``quantize.build_fp16``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from srcnn_support.cache import ArtifactCache, code_version
from srcnn_support.convert.trtexec import TrtVersion
from srcnn_support.export.onnx_export import INPUT_NAME, onnx_sha256
from srcnn_support.prepare.imaging import CROP_SIZE
from srcnn_support.tools import query_tool

ENGINE_CODE_MODULES = ("convert/trt_engine", "convert/trtexec", "convert/trt_api_build")
MAX_BATCH = 64
PROFILE = ((1, 1, CROP_SIZE, CROP_SIZE), (16, 1, CROP_SIZE, CROP_SIZE), (MAX_BATCH, 1, CROP_SIZE, CROP_SIZE))
ENGINE_NAME = "srcnn_x2.plan"


@dataclass(frozen=True)
class EngineRequest:
    fp32_onnx: Path
    precision: str  # "fp16" or "fp32"
    via: str  # "trtexec" or "python"
    version: TrtVersion
    device: int = 0


def gpu_name(device: int) -> str:
    """The GPU model (engines do not move between models); 'unknown GPU' without nvidia-smi."""
    output = query_tool(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i", str(device)])
    return (output or "").strip() or "unknown GPU"


def model_for(cache: ArtifactCache, request: EngineRequest) -> tuple[Path, bool]:
    """The ONNX model to build and whether to set the fp16 builder flag on it."""
    if request.precision != "fp16":
        return request.fp32_onnx, False
    if request.version.has_fp16_flag:
        return request.fp32_onnx, True
    from srcnn_support.convert.quantize import quantized_model

    return quantized_model(cache, request.fp32_onnx, "fp16", None), False


def engine(cache: ArtifactCache, request: EngineRequest) -> Path:
    onnx_path, fp16_flag = model_for(cache, request)
    # onnx_sha256 covers a model's external .data files too: re-exported weights beside old ones rebuild the engine
    parts = {"onnx_sha256": onnx_sha256(onnx_path), "precision": request.precision, "fp16_flag": fp16_flag,
             "via": request.via, "tensorrt": str(request.version), "gpu": gpu_name(request.device),
             "profile": PROFILE, "code": code_version(ENGINE_CODE_MODULES)}

    def build(tmp: Path) -> None:
        if request.via == "trtexec":
            from srcnn_support.convert.trtexec import build_args, find_trtexec, run_trtexec

            args = build_args(request.version, onnx_path, tmp / ENGINE_NAME, INPUT_NAME, PROFILE, fp16_flag,
                              request.device)
            log = run_trtexec(find_trtexec(), args)
            (tmp / "build.log").write_text(log)
        else:
            from srcnn_support.convert.trt_api_build import build_serialized_engine

            (tmp / ENGINE_NAME).write_bytes(build_serialized_engine(onnx_path, fp16_flag, PROFILE, request.device))
        if not (tmp / ENGINE_NAME).is_file():
            raise FileNotFoundError(f"TensorRT wrote no engine for {onnx_path}")

    return cache.get_or_build("trt-engine", parts, build) / ENGINE_NAME
