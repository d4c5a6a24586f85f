"""Cross-check: the suite's numbers against a from-scratch implementation of the spec, written here
without any of ``srcnn_support``'s preprocessing, colour or metric code (within 0.01 dB)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio

from srcnn_support.gate.verdicts import CheckRecord
from srcnn_support.model.network import read_weights

pytestmark = pytest.mark.accuracy


def spec_pipeline(path, weights_path):
    rgb = Image.open(path).convert("RGB")
    w, h = rgb.size
    if min(w, h) != 256:  # torchvision Resize(256): shorter side to 256, longer side truncated
        rgb = rgb.resize((256, int(256 * h / w)) if w <= h else (int(256 * w / h), 256), Image.BICUBIC)
    w, h = rgb.size
    top, left = int(round((h - 256) / 2.0)), int(round((w - 256) / 2.0))
    truth = rgb.crop((left, top, left + 256, top + 256))
    bicubic = truth.resize((128, 128), Image.BICUBIC).resize((256, 256), Image.BICUBIC)
    b = np.asarray(bicubic).astype(np.float32)
    y = (16.0 + (64.738 * b[..., 0] + 129.057 * b[..., 1] + 25.064 * b[..., 2]) / 256.0) / 255.0
    cb = 128.0 + (-37.945 * b[..., 0] - 74.494 * b[..., 1] + 112.439 * b[..., 2]) / 256.0
    cr = 128.0 + (112.439 * b[..., 0] - 94.154 * b[..., 1] - 18.285 * b[..., 2]) / 256.0
    state, _ = read_weights(weights_path)  # every form the gate accepts, through the one loader; all else is spec
    state = {name: tensor.float() for name, tensor in state.items()}
    x = torch.from_numpy(y)[None, None]
    with torch.no_grad():
        x = F.relu(F.conv2d(x, state["conv1.weight"], state["conv1.bias"], padding=4))
        x = F.relu(F.conv2d(x, state["conv2.weight"], state["conv2.bias"], padding=2))
        out = F.conv2d(x, state["conv3.weight"], state["conv3.bias"], padding=2).clamp(0.0, 1.0)[0, 0].numpy()
    guide = 10 * np.log10(1.0 / np.mean((y.astype(np.float64) - out.astype(np.float64)) ** 2))
    yy = out * 255.0
    sr = np.stack([298.082 * yy / 256 + 408.583 * cr / 256 - 222.921,
                   298.082 * yy / 256 - 100.291 * cb / 256 - 208.120 * cr / 256 + 135.576,
                   298.082 * yy / 256 + 516.412 * cb / 256 - 276.836], axis=-1)
    sr = np.rint(np.clip(sr, 0, 255)).astype(np.uint8)

    def matlab_y(img):
        img = img.astype(np.float64)
        return (16 + (65.481 * img[..., 0] + 128.553 * img[..., 1] + 24.966 * img[..., 2]) / 255)[2:-2, 2:-2]

    standard = peak_signal_noise_ratio(matlab_y(np.asarray(truth)), matlab_y(sr), data_range=255)
    bicubic_psnr = peak_signal_noise_ratio(matlab_y(np.asarray(truth)), matlab_y(np.asarray(bicubic)), data_range=255)
    return guide, standard, bicubic_psnr


def test_suite_matches_independent_implementation(accuracy, gate, recorder, image_name):
    path = next(p for p in gate.dataset.files if p.stem == image_name)
    guide, standard, bicubic_psnr = spec_pipeline(path, gate.weights)
    ours = accuracy.reference.scores[image_name]
    worst = max(abs(ours.guide_psnr_natural_clamped - guide), abs(ours.standard_psnr - standard),
                abs(ours.bicubic_psnr - bicubic_psnr))
    recorder.record(CheckRecord("pytorch", image_name, "matches_independent_implementation", worst <= 0.01, worst, 0.0,
                                "<= 0.01 dB on the guide, standard and bicubic PSNR",
                                explanation=f"{image_name}: the suite's PSNR is {worst:.4f} dB off the spec's"))
    assert ours.guide_psnr_natural_clamped == pytest.approx(guide, abs=0.01)
    assert ours.standard_psnr == pytest.approx(standard, abs=0.01)
    assert ours.bicubic_psnr == pytest.approx(bicubic_psnr, abs=0.01)
