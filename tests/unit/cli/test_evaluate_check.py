"""``evaluate --check``: the CLI applies the accuracy gate's own rules (the library's Verdicts)."""
import json
from types import SimpleNamespace

import numpy as np
from PIL import Image
from skimage import data as sample_images

from srcnn_support.cli.evaluate import gate_checks
from srcnn_support.cli.main import main
from srcnn_support.gate.config import DEFAULT_WEIGHTS


def _score(image, guide, standard, bicubic, natural_clamped=None):
    return SimpleNamespace(image=image, guide_psnr_guide_layout=guide, standard_psnr=standard, bicubic_psnr=bicubic,
                           guide_psnr_natural_clamped=natural_clamped)


def test_a_port_one_percent_off_fails_with_what_was_measured():
    scores = [_score("a", 35.0, 33.0, 30.0), _score("b", 40.0, 36.0, 35.0)]
    reference = {"a": _score("a", 0, 0, 0, 36.0), "b": _score("b", 0, 0, 0, 40.1)}
    verdicts = {(v.image, v.check): v for v in gate_checks("onnxruntime", scores, reference)}
    low = verdicts["a", "guide_psnr_vs_live_reference"]
    assert not low and (low.measured, low.reference) == (35.0, 36.0) and "2.778% > tolerance 1%" in low.explanation
    assert verdicts["b", "guide_psnr_vs_live_reference"] and verdicts["b", "standard_psnr_beats_bicubic"]
    gain = verdicts[None, "mean_standard_gain_over_bicubic"]
    assert gain and gain.measured == 2.0 and gain.reference == 1.5
    mean = verdicts[None, "mean_guide_psnr_vs_live_reference"]
    assert not mean and mean.measured == 37.5 and mean.reference == 38.05  # image a pulls the mean 1.4% down


def test_evaluate_check_passes_the_exported_model(tmp_path, capsys):
    for name, picture in (("astronaut", sample_images.astronaut()), ("coffee", sample_images.coffee())):
        Image.fromarray(np.asarray(picture)[:300, :300]).save(tmp_path / f"{name}.png")
    status = main(["evaluate", "--weights", str(DEFAULT_WEIGHTS), "--dataset-dir", str(tmp_path), "--backend",
                   "onnxruntime", "--check", "--artifacts-dir", str(tmp_path / "artifacts"),
                   "--json", str(tmp_path / "out.json")])
    out = capsys.readouterr().out
    assert status == 0 and "PASS astronaut/onnxruntime: guide_psnr_vs_live_reference" in out
    document = json.loads((tmp_path / "out.json").read_text())
    headline = document["release"]["headline"]
    assert headline == "RELEASE PASS: 6 of 6 checks passed" and out.rstrip().endswith(headline)
    assert {v["verdict"] for v in document["verdicts"]} == {"pass"}
