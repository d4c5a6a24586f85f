"""trtexec's and nvidia-smi's contracts (TensorRT 8.6, 10 and 11), exercised against clearly named emulators.

``emulators/trtexec_emulator.py`` builds no engine and sees no GPU: it checks the options each
TensorRT version accepts, keeps the ONNX model as its "plan" and computes outputs with ONNX Runtime.
These tests check what the suite passes to trtexec and reads back from it; they say nothing about
TensorRT's speed or numerics on a GPU.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.backends.tensorrt import read_exported_output, tensorrt_runner
from srcnn_support.backends.tool_log_parsers import parse_trtexec_log
from srcnn_support.cache import ArtifactCache
from srcnn_support.convert.trtexec import find_trtexec, parse_banner, run_trtexec, trtexec_version
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import export_onnx
from srcnn_support.model.network import SRCNN
from tests.conftest import LOGS
from tests.contract.emulators.install import put_emulators_on_path

pytestmark = pytest.mark.contract

VERSIONS = ("8.6.1", "10.1.0", "11.1.0")


@pytest.fixture(scope="module")
def fp32_onnx(tmp_path_factory) -> Path:
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("trt") / "m.onnx"
    export_onnx(SRCNN(), path, None)
    return path


@pytest.fixture
def emulated(monkeypatch, tmp_path):
    """trtexec and nvidia-smi emulators on PATH, no TensorRT Python API; returns the calls log."""
    bin_dir = put_emulators_on_path(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("srcnn_support.backends.tensorrt.python_api_available", lambda: False)
    calls = tmp_path / "calls.jsonl"
    monkeypatch.setenv("TRTEXEC_EMULATOR_CALLS", str(calls))
    return lambda: [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []


@pytest.mark.parametrize("banner, version", [
    ("&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec --help", "8.6.1"),
    ("&&&& RUNNING TensorRT.trtexec [TensorRT v100100] # trtexec", "10.1.0"),
    ("&&&& RUNNING TensorRT.trtexec [TensorRT v101600] [b72] # trtexec", "10.16.0"),
    ("&&&& RUNNING TensorRT.trtexec [TensorRT v110100] [b106] # trtexec", "11.1.0"),
])
def test_version_from_the_banner(banner, version):
    assert str(parse_banner(banner)) == version


def test_no_banner_is_a_clear_error():
    with pytest.raises(SrcnnGateError, match="banner"):
        parse_banner("trtexec: command not found")


@pytest.mark.parametrize("name", ["trtexec_t4_fp16_bs1_trt86.log", "trtexec_t4_fp16_bs1_trt10.log",
                                  "trtexec_t4_fp16_bs1_trt11.log", "trtexec_t4_fp16_bs1_trt7.log"])
def test_every_trtexec_log_format_gives_the_guides_t4_figure(name):
    figure = parse_trtexec_log((LOGS / name).read_text(), batch_size=1)
    assert figure.mean_latency_ms == 0.859765
    assert figure.compute_fps == pytest.approx(1163.108, abs=1e-3)


def test_total_gpu_compute_time_is_not_read_as_the_mean():
    text = ("[I] Total GPU Compute Time: min = 9 ms, max = 9 ms, mean = 9 ms, median = 9 ms\n"
            "[I] GPU Compute Time: min = 1 ms, max = 3 ms, mean = 2 ms, median = 2 ms, percentile(99%) = 3 ms\n")
    assert parse_trtexec_log(text, batch_size=4).compute_fps == pytest.approx(2000.0)


@pytest.mark.parametrize("version", VERSIONS)
def test_engine_built_once_then_loaded_and_timed(emulated, monkeypatch, fp32_onnx, tmp_path, version):
    monkeypatch.setenv("TRTEXEC_EMULATOR_VERSION", version)
    monkeypatch.setenv("TRTEXEC_EMULATOR_GPU_COMPUTE_MS", "0.859765")
    cache = ArtifactCache(tmp_path / "cache")
    batch = np.random.default_rng(0).random((2, 1, 256, 256), dtype=np.float32)
    with tensorrt_runner(cache, fp32_onnx) as runner, OnnxRuntimeRunner(fp32_onnx) as fp32:
        difference = np.abs(runner.infer(batch) - fp32.infer(batch)).max()
        figure = runner.tool_figure(batch[:1])
    with tensorrt_runner(cache, fp32_onnx) as again:
        again.infer(batch[:1])
    assert 0 < difference < 1e-2, "fp16 engine: close to fp32, not identical"
    assert figure.compute_fps == pytest.approx(1163.108, abs=1e-3)
    assert runner.info().versions == {"tensorrt (trtexec)": version}
    calls = [c for c in emulated() if "--help" not in c]
    builds = [c for c in calls if any(a.startswith("--saveEngine=") for a in c)]
    assert len(builds) == 1, "the engine is built once and cached"
    assert ("--fp16" in builds[0]) == (version != "11.1.0")
    built_model = next(a for a in builds[0] if a.startswith("--onnx=")).split("=", 1)[1]
    assert (built_model == str(fp32_onnx)) == (version != "11.1.0"), "11 builds the fp16 ONNX model"
    assert all(any(a.startswith("--loadEngine=") for a in c) for c in calls if c not in builds)
    timing = calls[-2]
    assert "--duration=0" in timing and "--iterations=200" in timing and not any("--loadInputs" in a for a in timing)


def test_trtexec_11_refuses_fp16_flag(emulated, monkeypatch, fp32_onnx, tmp_path):
    monkeypatch.setenv("TRTEXEC_EMULATOR_VERSION", "11.1.0")
    with pytest.raises(SrcnnGateError, match="Unknown option: --fp16"):
        run_trtexec(find_trtexec(), [f"--onnx={fp32_onnx}", f"--saveEngine={tmp_path / 'e.plan'}", "--fp16"])
    assert str(trtexec_version(find_trtexec())) == "11.1.0"


def test_device_is_passed_to_every_call(emulated, monkeypatch, fp32_onnx, tmp_path):
    monkeypatch.setenv("NVIDIA_SMI_EMULATOR_GPUS", "Tesla T4,Tesla T4")
    with tensorrt_runner(ArtifactCache(tmp_path / "cache"), fp32_onnx, device=1) as runner:
        runner.infer(np.zeros((1, 1, 256, 256), np.float32))
    calls = [c for c in emulated() if "--help" not in c]
    assert calls and all("--device=1" in c for c in calls)


def test_shape_outside_the_profile_is_refused(emulated, fp32_onnx, tmp_path):
    with tensorrt_runner(ArtifactCache(tmp_path / "cache"), fp32_onnx) as runner:
        before = len(emulated())
        for shape in ((65, 1, 256, 256), (1, 1, 300, 256)):
            with pytest.raises(SrcnnGateError, match="outside the engine's profile"):
                runner.infer(np.zeros(shape, np.float32))
    assert len(emulated()) == before, "refused before trtexec is started"


def test_emulated_trtexec_itself_rejects_a_shape_outside_the_profile(emulated, fp32_onnx, tmp_path):
    trtexec = find_trtexec()
    plan = tmp_path / "e.plan"
    run_trtexec(trtexec, [f"--onnx={fp32_onnx}", f"--saveEngine={plan}", "--minShapes=input.1:1x1x256x256",
                          "--optShapes=input.1:1x1x256x256", "--maxShapes=input.1:4x1x256x256", "--skipInference"])
    with pytest.raises(SrcnnGateError, match="setInputShape"):
        run_trtexec(trtexec, [f"--loadEngine={plan}", "--shapes=input.1:8x1x256x256", "--duration=0", "--warmUp=0"])


def test_exported_output_with_other_dimensions_is_refused(tmp_path):
    exported = tmp_path / "out.json"
    exported.write_text(
        '[\n  { "name" : "output"\n  , "dimensions" : "1x1x2x2"\n  , "values" : [ 1, 2, 3, 4 ]\n  }\n]\n'
    )
    assert read_exported_output(exported, (1, 1, 2, 2)).tolist() == [[[[1, 2], [3, 4]]]]
    with pytest.raises(SrcnnGateError, match="dimensions"):
        read_exported_output(exported, (1, 1, 4, 1))
    exported.write_text("not json")
    with pytest.raises(SrcnnGateError, match="exportOutput"):
        read_exported_output(exported, (1, 1, 2, 2))


def test_an_external_data_model_with_new_weights_builds_a_new_engine(emulated, monkeypatch, fp32_onnx, tmp_path):
    """Same .onnx bytes, different .data file: re-exported weights must not reuse the old weights' engine."""
    import onnx
    from onnx import numpy_helper

    monkeypatch.setenv("TRTEXEC_EMULATOR_VERSION", "10.1.0")
    models = []
    for folder, shift in (("old", 0.0), ("new", 0.01)):
        proto = onnx.load(str(fp32_onnx))
        bias = next(i for i in proto.graph.initializer if i.name == "conv3.bias")
        bias.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(bias) + np.float32(shift), "conv3.bias"))
        (tmp_path / folder).mkdir()
        onnx.save_model(proto, str(tmp_path / folder / "m.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location="m.data", size_threshold=0)
        models.append(tmp_path / folder / "m.onnx")
    assert models[0].read_bytes() == models[1].read_bytes()
    cache = ArtifactCache(tmp_path / "cache")
    batch = np.random.default_rng(0).random((1, 1, 256, 256), dtype=np.float32)
    outputs = []
    for model in models:
        with tensorrt_runner(cache, model) as runner:
            outputs.append(runner.infer(batch))
    assert len([c for c in emulated() if any(a.startswith("--saveEngine=") for a in c)]) == 2
    assert np.abs(outputs[1] - outputs[0]).mean() == pytest.approx(0.01, abs=2e-3)
