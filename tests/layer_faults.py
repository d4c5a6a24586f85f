"""The faulty ONNX models the layer-by-layer tests are built on, each made in the test's own folder from the
project's exported model: a converter that mangles one layer, or weights whose conv1 leaves float16's range."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from srcnn_support.convert.onnx_graph import initializer, set_initializer, with_layer_names
from srcnn_support.export.onnx_export import export_onnx
from srcnn_support.model.network import load_model
from srcnn_support.prepare.imaging import degrade, guide_crop, list_images, load_rgb, network_input
from tests.conftest import SET5, WEIGHTS

CONV2_WEIGHT_FACTOR = 1.05
CONV3_BIAS_SHIFT = 0.05
# conv1's largest output on Set5 is 4.76; x 1e5 puts it far beyond float16's 65504. conv2's weights divided by the
# same factor give back the fp32 function exactly (ReLU is positively homogeneous), so only fp16 breaks.
OVERFLOW_FACTOR = 1e5


def exported_model(folder: Path) -> Path:
    path = folder / "srcnn_x2.onnx"
    if not path.exists():
        export_onnx(load_model(WEIGHTS), path, None)
    return path


def _edited(source: Path, target: Path, edit) -> Path:
    model = with_layer_names(onnx.load(str(source)), source)
    edit(model)
    onnx.save(model, str(target))
    return target


def conv2_weights_scaled(folder: Path) -> Path:
    return _edited(exported_model(folder), folder / "conv2_x1.05.onnx", lambda m: set_initializer(
        m, "conv2.weight", initializer(m, "conv2.weight") * CONV2_WEIGHT_FACTOR))


def conv3_bias_shifted(folder: Path) -> Path:
    return _edited(exported_model(folder), folder / "conv3_bias_shift.onnx", lambda m: set_initializer(
        m, "conv3.bias", initializer(m, "conv3.bias") + CONV3_BIAS_SHIFT))


def conv1_beyond_fp16(folder: Path) -> Path:
    def edit(model) -> None:
        for name in ("conv1.weight", "conv1.bias"):
            set_initializer(model, name, initializer(model, name).astype(np.float64) * OVERFLOW_FACTOR)
        set_initializer(model, "conv2.weight", initializer(model, "conv2.weight").astype(np.float64) / OVERFLOW_FACTOR)

    return _edited(exported_model(folder), folder / "conv1_beyond_fp16.onnx", edit)


def set5_planes(count: int = 2, size: int = 96) -> tuple[list[str], np.ndarray]:
    """A few real Set5 inputs, cropped small so that a test runs in a second."""
    files = list_images(SET5)[:count]
    planes = [network_input(degrade(guide_crop(load_rgb(f))))[:size, :size] for f in files]
    return [f.stem for f in files], np.stack(planes)[:, None].astype(np.float32)
