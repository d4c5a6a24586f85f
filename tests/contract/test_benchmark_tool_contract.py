"""The guide's ``benchmark`` tool file contract, exercised against a clearly named emulator.

``tests/contract/emulators/benchmark_emulator.py`` (put on PATH as ``benchmark``) reads the info file and .bin
inputs and writes the dump directory and perf files as the tool does, computing with ONNX Runtime as
an fp16 .om would. These tests check that the suite writes what the tool reads and reads what the
tool writes; they say nothing about Ascend hardware.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch

from srcnn_support.backends.ascend import AscendOmRunner
from srcnn_support.backends.onnxruntime import OnnxRuntimeRunner
from srcnn_support.export.onnx_export import export_onnx
from srcnn_support.model.network import SRCNN
from tests.conftest import EMULATORS, ROOT

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
def emulated_tool(tmp_path_factory):
    work = tmp_path_factory.mktemp("contract")
    torch.manual_seed(0)
    model = SRCNN()
    torch.save(model.state_dict(), work / "w.pth")
    export_onnx(model, work / "m.onnx", None)
    with zipfile.ZipFile(work / "fake.om", "w") as om:  # the ATC emulator's container
        om.write(work / "m.onnx", "model.onnx")
    return work


@pytest.fixture
def tool_on_path(monkeypatch, emulated_tool, tmp_path):
    launcher_dir = tmp_path / "bin"
    launcher_dir.mkdir()
    launcher = launcher_dir / "benchmark"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{EMULATORS / "benchmark_emulator.py"}" "$@"\n')
    launcher.chmod(0o755)
    monkeypatch.setenv("PATH", f"{launcher_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("srcnn_support.backends.ascend.ais_bench_available", lambda: False)


def test_ascend_runner_round_trips_through_the_tool_files(tool_on_path, emulated_tool):
    batch = np.random.default_rng(0).random((2, 1, 256, 256), dtype=np.float32)
    with AscendOmRunner(emulated_tool / "fake.om", batch_size=2) as runner, \
            OnnxRuntimeRunner(emulated_tool / "m.onnx") as direct:
        assert "benchmark" in runner.info().details["via"]
        output = runner.infer(batch)
        assert np.array_equal(output, output.astype(np.float16).astype(np.float32))  # stored as fp16
        assert np.abs(output - direct.infer(batch)).max() < 1e-2


def test_tool_figure_comes_from_the_perf_files_not_the_wall_clock(tool_on_path, emulated_tool, monkeypatch):
    monkeypatch.setenv("SRCNN_EMULATOR_INTERFACE_FPS", "250")
    planes = list(np.random.default_rng(2).random((3, 256, 256), dtype=np.float32))
    with AscendOmRunner(emulated_tool / "fake.om", batch_size=2) as runner:
        measured = runner.tool_throughput(planes)
    assert measured.gated.compute_fps == 250.0 and measured.pure_infer.compute_fps == 250.0
    assert "perf_vision_batchsize_2_device_0.txt" in measured.source
    assert 0 < measured.suite_end_to_end_fps < 1e4 and measured.gated.end_to_end_fps > 0


def _cli(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "srcnn_support", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=env)


def test_guide_pipeline_preprocess_info_tool_postprocess(tool_on_path, emulated_tool, tmp_path):
    sample = tmp_path / "images"
    sample.mkdir()
    rng = np.random.default_rng(1)
    from PIL import Image

    for name in ("one", "two"):
        Image.fromarray(rng.integers(0, 256, (300, 280, 3), dtype=np.uint8)).save(sample / f"{name}.png")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    assert _cli("preprocess", "-s", sample, "-d", tmp_path / "prep", env=env).returncode == 0
    assert _cli("info", "bin", tmp_path / "prep" / "bin", tmp_path / "prep.info", 256, 256, env=env).returncode == 0
    tool = subprocess.run(["benchmark", "-model_type=vision", "-device_id=0", "-batch_size=1",
                           f"-om_path={emulated_tool / 'fake.om'}", f"-input_text_path={tmp_path / 'prep.info'}",
                           "-input_width=256", "-input_height=256", "-output_binary=False", "-useDvpp=False"],
                          cwd=tmp_path, capture_output=True, text=True, env={**env})
    assert tool.returncode == 0, tool.stderr
    result = _cli(
        "postprocess",
        "--res",
        tmp_path / "result" / "dumpOutput_device0",
        "--png_src",
        tmp_path / "prep" / "png",
        "--bin_src",
        tmp_path / "prep" / "bin",
        "--save",
        tmp_path / "save",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("one_256.png PSNR: ") and lines[-1].startswith("total PSNR: ")
    assert sorted(p.name for p in (tmp_path / "save").iterdir()) == ["one_srcnn_x2.png", "two_srcnn_x2.png"]
    # the printed value is the guide metric on the transposed input, computed independently here
    y_in = np.fromfile(tmp_path / "prep" / "bin" / "one.bin", "<f4").reshape(256, 256)
    y_out = np.array((tmp_path / "result" / "dumpOutput_device0" / "one_1.txt").read_text().split(), np.float64)
    expected = 10 * np.log10(1 / np.mean((y_in.astype(np.float64) - y_out.reshape(256, 256)) ** 2))
    assert float(lines[0].split()[-1]) == pytest.approx(expected, abs=0.006)
