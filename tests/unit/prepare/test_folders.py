"""Image folders as people really have them: any extension case, spaces and non-ASCII names, and the
files that sit beside pictures (README.txt, .DS_Store, Thumbs.db, macOS ._ companions)."""
from pathlib import Path

import pytest
from PIL import Image

from srcnn_support.cache import ArtifactCache
from srcnn_support.convert import artifacts
from srcnn_support.errors import SrcnnGateError
from srcnn_support.prepare.datasets import resolve_dataset
from srcnn_support.prepare.guide_files import format_info, parse_info_text
from srcnn_support.prepare.imaging import scan_images
from tests.messy_folders import NOT_PICTURES, PICTURES, make_messy_folder


def test_scan_lists_pictures_in_any_case_and_skips_the_rest(tmp_path):
    folder = scan_images(make_messy_folder(tmp_path / "my photos"))
    assert [p.name for p in folder.files] == sorted(PICTURES)
    assert set(folder.skipped) == set(NOT_PICTURES) | {"thumbnails/"}


def test_dataset_carries_the_skipped_names(tmp_path):
    dataset = resolve_dataset(str(make_messy_folder(tmp_path / "set")))
    assert dataset.names == sorted(Path(n).stem for n in PICTURES)
    assert "README.txt" in dataset.skipped and "._baby boy.PNG" in dataset.skipped


def test_names_with_spaces_and_accents_prepare_and_cache(tmp_path):
    files = scan_images(make_messy_folder(tmp_path / "set")).files
    prepared = artifacts.prepared_images(ArtifactCache(tmp_path / "cache"), list(files))
    assert [p.name for p in prepared] == [f.stem for f in files]
    assert all(p.network_input.shape == (256, 256) for p in prepared)


def test_image_extension_that_does_not_decode_is_still_an_error(tmp_path):
    folder = make_messy_folder(tmp_path / "set")
    (folder / "broken.JPG").write_bytes(b"this is not a jpeg")
    files = scan_images(folder).files
    with pytest.raises(SrcnnGateError, match=r"broken.JPG: not an image"):
        artifacts.prepared_images(ArtifactCache(tmp_path / "cache"), list(files))


def test_two_pictures_with_one_name_are_refused(tmp_path):
    folder = make_messy_folder(tmp_path / "set")
    Image.new("RGB", (300, 300)).save(folder / "woman.png")
    with pytest.raises(SrcnnGateError, match="woman.TIF and woman.png share the name 'woman'"):
        scan_images(folder)


def test_info_file_paths_may_hold_spaces():
    bins = [Path("prep data/bin/baby boy.bin"), Path("prep data/bin/oiseau é.bin")]
    entries = parse_info_text(format_info(bins, 256, 256), "x.info")
    assert [e.path for e in entries] == [str(p) for p in bins]
    assert all((e.width, e.height) == (256, 256) for e in entries)

