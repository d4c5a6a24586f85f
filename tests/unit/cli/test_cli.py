from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from srcnn_support.cli.main import main
from srcnn_support.model.network import SRCNN
from tests.conftest import SET5


def _images(folder: Path, names=("alpha", "beta")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in names:
        Image.fromarray(rng.integers(0, 256, (300, 260, 3), dtype=np.uint8)).save(folder / f"{name}.png")
    return folder


def test_preprocess_writes_guide_layout(tmp_path, capsys):
    src = _images(tmp_path / "src")
    assert main(["preprocess", "-s", str(src), "-d", str(tmp_path / "out")]) == 0
    bins = sorted((tmp_path / "out" / "bin").glob("*.bin"))
    assert [b.name for b in bins] == ["alpha.bin", "beta.bin"]
    assert all(b.stat().st_size == 262_144 for b in bins)
    assert sorted(p.name for p in (tmp_path / "out" / "png").iterdir()) == ["alpha_256.png", "beta_256.png"]
    natural = np.fromfile(tmp_path / "out" / "bin_natural" / "alpha.bin", "<f4").reshape(256, 256)
    guide = np.fromfile(bins[0], "<f4").reshape(256, 256)
    assert np.array_equal(guide, natural.T)


def test_preprocess_on_set5_if_present(tmp_path):
    if not SET5.is_dir():
        pytest.skip(f"Set5 not found at {SET5} (set SRCNN_DATA_ROOT)")
    assert main(["preprocess", "-s", str(SET5), "-d", str(tmp_path)]) == 0
    names = ["baby", "bird", "butterfly", "head", "woman"]
    assert sorted(p.stem for p in (tmp_path / "bin").glob("*.bin")) == names
    assert {p.stat().st_size for p in (tmp_path / "bin").glob("*.bin")} == {262_144}
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == [f"{n}_256.png" for n in names]


def test_info_and_export(tmp_path):
    src = _images(tmp_path / "src", ("one",))
    main(["preprocess", "-s", str(src), "-d", str(tmp_path / "prep")])
    assert main(["info", "bin", str(tmp_path / "prep" / "bin"), str(tmp_path / "a.info"), "256", "256"]) == 0
    assert (tmp_path / "a.info").read_text() == f"0 {tmp_path / 'prep' / 'bin' / 'one.bin'} 256 256\n"
    torch.save(SRCNN().state_dict(), tmp_path / "w.pth")
    assert main(["export", "--pth", str(tmp_path / "w.pth"), "--onnx", str(tmp_path / "m.onnx")]) == 0
    assert (tmp_path / "m.onnx").stat().st_size > 200_000


def test_convert_dry_run_prints_the_guides_atc_command(tmp_path, capsys):
    assert main(["convert", "--model", "m.onnx", "--output", str(tmp_path / "srcnn_x2"), "--batch-sizes", "1", "16",
                 "--soc_version", "Ascend310", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "--framework=5" in lines[0] and "--input_shape=input.1:1,1,256,256" in lines[0]
    assert "--input_shape=input.1:16,1,256,256" in lines[1] and "--soc_version=Ascend310" in lines[1]
    assert "--precision_mode=force_fp16" in lines[0]

