"""Where INT8 calibration images are looked for, and the skip reason naming every place looked."""
import pytest

from srcnn_support.prepare import datasets
from srcnn_support.prepare.datasets import calibration_not_found, calibration_search


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """A data folder as the shared data is laid out (data/Set5), and a default data root that does not exist."""
    monkeypatch.delenv(datasets.DATA_ROOT_ENV, raising=False)
    monkeypatch.setattr(datasets, "DEFAULT_DATA_ROOT", tmp_path / "default-root")
    (tmp_path / "data" / "Set5").mkdir(parents=True)
    return tmp_path


def test_train_beside_the_dataset_folder_is_used(layout):
    (layout / "data" / "train").mkdir()
    assert calibration_search(None, None, layout / "data" / "Set5") == (layout / "data" / "train", ())


def test_the_default_data_root_is_the_second_place(layout):
    (layout / "default-root" / "train").mkdir(parents=True)
    assert calibration_search(None, None, layout / "data" / "Set5") == (layout / "default-root" / "train", ())


def test_none_found_names_every_place_looked(layout):
    found, looked = calibration_search(None, None, layout / "data" / "Set5")
    assert found is None and looked == (str(layout / "data" / "train"), str(layout / "default-root" / "train"))
    assert calibration_not_found(looked) == (
        f"INT8 calibration images not found: looked in {layout / 'data' / 'train'}, "
        f"{layout / 'default-root' / 'train'}; pass --calibration-dir, or --data-root (or SRCNN_DATA_ROOT) "
        "naming the folder that holds train/")


def test_a_dataset_folder_named_train_is_never_its_own_calibration(layout):
    (layout / "data" / "train").mkdir()
    found, looked = calibration_search(None, None, layout / "data" / "train")
    assert found is None
    assert looked == (f"{layout / 'data' / 'train'} (the dataset itself, never used)",
                      str(layout / "default-root" / "train"))


def test_sample_photos_look_in_the_default_data_root_only(layout):
    assert calibration_search(None, None, None) == (None, (str(layout / "default-root" / "train"),))


def test_a_named_data_root_is_used_as_given(layout):
    assert calibration_search(None, str(layout / "root"), layout / "data" / "Set5") == (layout / "root" / "train", ())


def test_calibration_dir_wins(layout):
    (layout / "data" / "train").mkdir()
    assert calibration_search(str(layout / "cal"), None, layout / "data" / "Set5") == (layout / "cal", ())
