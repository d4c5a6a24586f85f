"""A quantized build that cannot be made names the user's model, not a staging copy, and fails once per run:
every later request for it gets the same error without a second build."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from srcnn_support.cache import EVENT_LOG, ArtifactCache
from srcnn_support.convert.quantize import quantized_model
from srcnn_support.errors import SrcnnGateError
from srcnn_support.export.onnx_export import INPUT_NAME, check_onnx_file

pytest.importorskip("onnxruntime")


def two_conv_model(path):
    """A network the input and output checks accept (one channel in, same size out) with only two convolutions,
    exported with a fixed 1 x 1 x 64 x 64 input so that the build works on a free-shape staging copy."""
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 1, 3, padding=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.zeros(1, 1, 64, 64),), str(path), input_names=[INPUT_NAME],
                          output_names=["out"], opset_version=17, dynamo=False)
    return path


def test_a_failed_int8_build_names_the_given_file_once_and_is_not_retried(tmp_path):
    given = two_conv_model(tmp_path / "my port.onnx")
    check_onnx_file(given)  # the start-of-run checks let it in: only the INT8 build can tell
    train = tmp_path / "train"
    train.mkdir()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(train / "t.png")
    cache = ArtifactCache(tmp_path / "cache")
    errors = []
    for _ in range(3):
        with pytest.raises(SrcnnGateError) as raised:
            quantized_model(cache, given, "int8", train)
        errors.append(raised.value)
    assert str(errors[0]) == (f"{given}: has 2 Conv node(s); the INT8 and FP16 builds expect SRCNN's 3 in a chain")
    assert errors[1] is errors[0] and errors[2] is errors[0]
    assert "building" not in str(errors[0]) and "free-shape" not in str(errors[0])
    log = (cache.root / EVENT_LOG).read_text().splitlines()
    assert [line.split()[2] for line in log] == ["failed"] and cache.stats.built == []
    assert not [p for p in (cache.root / "quantized").iterdir() if not p.name.endswith(".lock")]


def test_an_unexpected_builder_error_is_one_line_naming_the_given_file(tmp_path, monkeypatch):
    import srcnn_support.convert.quantize as quantize

    given = two_conv_model(tmp_path / "given.onnx")

    def failing_fp16(source, out):
        raise RuntimeError(f"[ONNXRuntimeError] : 1 : FAIL : Load model from {source} failed\nsecond line")

    monkeypatch.setattr(quantize, "build_fp16", failing_fp16)
    with pytest.raises(SrcnnGateError) as raised:
        quantized_model(ArtifactCache(tmp_path / "cache"), given, "fp16", None)
    assert str(raised.value) == (f"{given}: building the fp16 model from it failed: RuntimeError: [ONNXRuntimeError] "
                                 f": 1 : FAIL : Load model from {given} failed")
