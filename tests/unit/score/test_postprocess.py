"""The guide's result images against srcnn_postprocess.py's arithmetic, written out here step by step.

The steps follow ACL_PyTorch/contrib/cv/super_resolution/SRCNN/srcnn_postprocess.py (Ascend/ModelZoo-PyTorch):
text dump read with ``np.loadtxt`` as float32 and transposed, Y times 255 in torch, Cb/Cr of the
``_256.png`` crop, float32 conversion back, clip, ``astype(np.uint8)``, Pillow's default PNG.
"""
import numpy as np
import PIL.Image as pil_image
import pytest
import torch

from srcnn_support.prepare.guide_files import Layout
from srcnn_support.prepare.imaging import compose_sr_rgb, degrade, load_rgb
from srcnn_support.prepare.prep import prepare_image
from srcnn_support.score.postprocess import postprocess
from tests.conftest import SET5

SIZE = 256


def _script_png(dump_file, crop_png, out_png):
    array = np.loadtxt(dump_file, np.float32).reshape(SIZE, SIZE).transpose()
    img = np.array(pil_image.open(crop_png).convert("RGB")).astype(np.float32)
    y = 16. + (64.738 * img[:, :, 0] + 129.057 * img[:, :, 1] + 25.064 * img[:, :, 2]) / 256.
    cb = 128. + (-37.945 * img[:, :, 0] - 74.494 * img[:, :, 1] + 112.439 * img[:, :, 2]) / 256.
    cr = 128. + (112.439 * img[:, :, 0] - 94.154 * img[:, :, 1] - 18.285 * img[:, :, 2]) / 256.
    ycbcr = np.array([y, cb, cr]).transpose([1, 2, 0])
    array = torch.from_numpy(array).mul(255).numpy()
    ycc = np.array([array, ycbcr[..., 1], ycbcr[..., 2]]).transpose([1, 2, 0])
    r = 298.082 * ycc[:, :, 0] / 256. + 408.583 * ycc[:, :, 2] / 256. - 222.921
    g = 298.082 * ycc[:, :, 0] / 256. - 100.291 * ycc[:, :, 1] / 256. - 208.120 * ycc[:, :, 2] / 256. + 135.576
    b = 298.082 * ycc[:, :, 0] / 256. + 516.412 * ycc[:, :, 1] / 256. - 276.836
    output = np.clip(np.array([r, g, b]).transpose([1, 2, 0]), 0.0, 255.0).astype(np.uint8)
    pil_image.fromarray(output).save(out_png)
    return output


def _synthetic(path):
    rng = np.random.default_rng(7)
    ramp = np.linspace(0, 255, SIZE)
    rgb = np.stack([ramp[None, :] + 0 * ramp[:, None], ramp[:, None] + 0 * ramp[None, :],
                    255 - ramp[None, :] + 0 * ramp[:, None]], axis=-1)
    rgb = np.clip(rgb + rng.normal(0, 20, rgb.shape), 0, 255).astype(np.uint8)
    pil_image.fromarray(rgb).save(path)
    return path


@pytest.mark.parametrize("source", ["synthetic", "butterfly"])
def test_postprocess_png_is_byte_identical_to_the_guide_script(tmp_path, source):
    if source == "synthetic":
        image_path = _synthetic(tmp_path / "synthetic.png")
    else:
        image_path = SET5 / f"{source}.png"
        if not image_path.exists():
            pytest.skip(f"{image_path} not present")
    prep = tmp_path / "prep"
    prepared = prepare_image(image_path, prep)
    # A fake network output that leaves [0, 1] on both sides, so the unclamped Y and the clip both act.
    rng = np.random.default_rng(3)
    y_out = (prepared.network_input * 1.1 - 0.04 + rng.normal(0, 0.02, (SIZE, SIZE))).astype(np.float32)
    y_out[:4, :64] = np.linspace(-0.1, 0.0, 64, dtype=np.float32)
    y_out[-4:, :64] = np.linspace(1.0, 1.1, 64, dtype=np.float32)
    assert y_out.min() < 0 and y_out.max() > 1
    dump = tmp_path / "dump"
    dump.mkdir()
    dump_file = dump / f"{prepared.name}_1.txt"
    np.savetxt(dump_file, Layout.GUIDE.to_file_order(y_out), fmt="%.8g")
    crop_png = prep / "png" / f"{prepared.name}_256.png"

    postprocess(dump, prep / "png", prep / "bin", tmp_path / "save")

    expected = _script_png(dump_file, crop_png, tmp_path / "script.png")
    written = tmp_path / "save" / f"{prepared.name}_srcnn_x2.png"
    assert np.array_equal(np.asarray(load_rgb(written)), expected)
    assert written.read_bytes() == (tmp_path / "script.png").read_bytes()
    # The metric path's image (bicubic chroma, rounded) differs, so equality above is not vacuous.
    assert not np.array_equal(compose_sr_rgb(y_out, np.asarray(degrade(load_rgb(crop_png)))), expected)
