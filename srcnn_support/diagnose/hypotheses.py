"""The known porting mistakes, each recomputed exactly on the real pipeline.

For one dataset image every hypothesis yields the 256x256 float32 array the device's dump file
would hold under that mistake, in the file's own order (what ``np.fromfile(..).reshape(256, 256)``
returns). The correct pipeline feeds the transposed plane ``x.T`` and writes ``f(x.T)``; the guide's
post-processing transposes it back.

Resize kernels (checked in the libraries' sources): OpenCV's ``INTER_CUBIC`` uses the cubic convolution
kernel with A = -0.75 (``interpolateCubic`` in imgproc's resize.cpp) on a fixed 4-tap support, also when
shrinking; Pillow's ``BICUBIC`` uses a = -0.5 (``bicubic_filter`` in src/libImaging/Resample.c) and widens
the support by the scale factor when shrinking (antialiasing). ONNX Runtime's resize notes the same pair
of defaults ("Pillow has a default value of 0.5 for cubic_coeff_a, while ONNX op has 0.75").
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from srcnn_support.model.network import SRCNN
from srcnn_support.prepare.imaging import CROP_SIZE, SCALE, degrade, guide_crop, load_rgb, network_input

OK = "ok"
LAYOUT_NOT_TRANSPOSED = "layout-not-transposed"
OUTPUT_NOT_TRANSPOSED_BACK = "output-not-transposed-back"
OUTPUT_CLAMPED = "output-clamped"
BGR_ORDER = "bgr-order"
OPENCV_RESIZE = "opencv-resize"
LUMA_CONSTANT = "luma-constant"
INPUT_NOT_NORMALISED = "input-not-normalised"
DUMP_DTYPE_FLOAT16 = "dump-dtype-float16"
WEIGHTS_DIFFER = "weights-differ"
UNKNOWN = "unknown"

DESCRIPTIONS = {
    OK: "the guide's pipeline (transposed .bin, PIL bicubic, reference luma, /255, unclamped float32 output)",
    LAYOUT_NOT_TRANSPOSED: "the natural plane was fed where the guide's .bin is transposed",
    OUTPUT_NOT_TRANSPOSED_BACK: "the output was written in natural orientation, so the guide's transpose-back "
                                "scrambles it",
    OUTPUT_CLAMPED: "the output was clamped to [0, 1] before it was written (the guide writes it unclamped)",
    BGR_ORDER: "luma computed from B,G,R order (cv2.imread without cv2.cvtColor)",
    OPENCV_RESIZE: "bicubic x2 down/up done with cv2.resize(INTER_CUBIC) (a = -0.75, no antialias) instead of PIL's",
    LUMA_CONSTANT: "luma with MATLAB's 65.738 where the reference code has 64.738",
    INPUT_NOT_NORMALISED: "the Y plane was not divided by 255",
    DUMP_DTYPE_FLOAT16: "the dump files hold float16 (half the expected size)",
    WEIGHTS_DIFFER: "right input, but no hypothesis on these weights reproduces the outputs: the model was built "
                    "from other weights",
    UNKNOWN: "no hypothesis explains the outputs",
}
# The order decides exact ties (an image with no output outside [0, 1] cannot tell OK from OUTPUT_CLAMPED).
RECOMPUTED = (OK, OUTPUT_CLAMPED, OUTPUT_NOT_TRANSPOSED_BACK, LAYOUT_NOT_TRANSPOSED, BGR_ORDER, OPENCV_RESIZE,
              LUMA_CONSTANT, INPUT_NOT_NORMALISED)


@dataclass(frozen=True)
class ImageInputs:
    """The network inputs (natural H x W) that the correct pipeline and each preprocessing mistake produce."""

    name: str
    guide: np.ndarray
    bgr: np.ndarray
    opencv: np.ndarray
    luma_matlab: np.ndarray


def opencv_degrade(rgb: np.ndarray, scale: int = SCALE) -> np.ndarray:
    import cv2

    height, width = rgb.shape[:2]
    small = cv2.resize(rgb, (width // scale, height // scale), interpolation=cv2.INTER_CUBIC)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def luma_matlab_constant(rgb: np.ndarray) -> np.ndarray:
    img = np.asarray(rgb).astype(np.float32)
    y = 16.0 + (65.738 * img[..., 0] + 129.057 * img[..., 1] + 25.064 * img[..., 2]) / 256.0
    return (y / 255.0).astype(np.float32)


def image_inputs(source: Path, size: int = CROP_SIZE) -> ImageInputs:
    cropped = guide_crop(load_rgb(source), size)
    bicubic = np.asarray(degrade(cropped))
    return ImageInputs(
        name=Path(source).stem,
        guide=network_input(bicubic),
        bgr=network_input(np.ascontiguousarray(bicubic[..., ::-1])),
        opencv=network_input(opencv_degrade(np.asarray(cropped))),
        luma_matlab=luma_matlab_constant(bicubic),
    )


def forward(model: SRCNN, planes: list[np.ndarray], chunk: int = 8) -> list[np.ndarray]:
    """Run the fp32 network on 2-D planes; chunks bound the memory of conv1's 64 feature maps."""
    outputs: list[np.ndarray] = []
    with torch.inference_mode():
        for start in range(0, len(planes), chunk):
            batch = torch.from_numpy(np.stack(planes[start:start + chunk]).astype(np.float32)[:, None])
            outputs.extend(model(batch)[:, 0].numpy())
    return outputs


# What the port feeds the network (in the order it writes the input file) under each input mistake.
FEEDS = {
    OK: lambda i: i.guide.T,
    LAYOUT_NOT_TRANSPOSED: lambda i: i.guide,
    BGR_ORDER: lambda i: i.bgr.T,
    OPENCV_RESIZE: lambda i: i.opencv.T,
    LUMA_CONSTANT: lambda i: i.luma_matlab.T,
    INPUT_NOT_NORMALISED: lambda i: i.guide.T * np.float32(255.0),
}
# Output mistakes: the correct network output, changed before it is written.
AFTER = {
    OUTPUT_CLAMPED: lambda out: np.clip(out, 0.0, 1.0),
    OUTPUT_NOT_TRANSPOSED_BACK: lambda out: np.ascontiguousarray(out.T),
}


def fed_plane(inputs: ImageInputs, cause: str) -> np.ndarray:
    return np.ascontiguousarray(FEEDS[OK if cause in AFTER else cause](inputs), dtype=np.float32)


def expected_dumps(model: SRCNN, inputs: ImageInputs) -> dict[str, np.ndarray]:
    """What the dump file holds under each hypothesis, in file order."""
    ran = dict(zip(FEEDS, forward(model, [fed_plane(inputs, c) for c in FEEDS]), strict=False))
    ran.update({cause: change(ran[OK]) for cause, change in AFTER.items()})
    return {cause: ran[cause] for cause in RECOMPUTED}


def fp16_forward(model: SRCNN, plane: np.ndarray) -> np.ndarray:
    """The network as an fp16 ``.om`` runs it: fp16 weights and activations, fp32 accumulation
    (Ascend's cube unit and ATC's default ``force_fp16``); used to size what fp16 alone explains."""
    def half(t: torch.Tensor) -> torch.Tensor:
        return t.to(torch.float16).to(torch.float32)

    layers = (model.conv1, model.conv2, model.conv3)
    with torch.inference_mode():
        x = half(torch.from_numpy(np.ascontiguousarray(plane, dtype=np.float32))[None, None])
        for index, conv in enumerate(layers):
            x = half(torch.nn.functional.conv2d(x, half(conv.weight), half(conv.bias), padding=conv.padding))
            if index < len(layers) - 1:
                x = torch.relu(x)
    return x[0, 0].numpy()


