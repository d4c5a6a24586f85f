"""Which images a run uses: a user's directory, a named benchmark set, or the bundled sample photos."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from srcnn_support.errors import SrcnnGateError
from srcnn_support.prepare.imaging import scan_images

DATASET_DIR_ENV = "SRCNN_DATASET_DIR"
DATA_ROOT_ENV = "SRCNN_DATA_ROOT"
NAMED_SETS = {"set5": "Set5", "set14": "Set14", "bsd68": "BSD68"}
# Natural photographs inside scikit-image's wheel: present on any machine that installed the suite.
# Six rather than four: chelsea (soft focus) and rocket (JPEG) leave little for SR to recover, and
# the mean-gain gate (1.5 dB over bicubic) should judge the port, not the choice of pictures.
SAMPLE_PHOTOS = ("astronaut.png", "camera.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "rocket.jpg")


@dataclass(frozen=True)
class Dataset:
    label: str
    files: tuple[Path, ...]
    description: str
    skipped: tuple[str, ...] = ()
    directory: Path | None = None  # the folder the user named; None for the bundled sample photos

    @property
    def names(self) -> list[str]:
        return [p.stem for p in self.files]


def sample_photos() -> Dataset:
    import skimage.data

    folder = Path(skimage.data.__file__).parent
    files = tuple(folder / name for name in SAMPLE_PHOTOS)
    absent = [str(p) for p in files if not p.is_file()]
    if absent:
        raise SrcnnGateError(absent[0], "bundled sample photo missing from the scikit-image install")
    return Dataset("samples", files, f"no dataset configured: {len(files)} sample photos shipped with "
                   f"scikit-image ({', '.join(SAMPLE_PHOTOS)}); pass --dataset-dir for Set5")


# Beside the project, as the workspace lays it out; not relative to the working directory.
DEFAULT_DATA_ROOT = Path(__file__).resolve().parents[3] / "shared" / "data"


def data_root(explicit: str | None = None) -> Path:
    """The folder holding Set5/Set14/BSD68/train: ``--data-root``, else $SRCNN_DATA_ROOT, else beside the project."""
    return Path(explicit or os.environ.get(DATA_ROOT_ENV) or DEFAULT_DATA_ROOT)


def named_set_dir(name: str, explicit_root: str | None) -> Path:
    return data_root(explicit_root) / NAMED_SETS[name]


def resolve_dataset(dataset_dir: str | None = None, dataset: str | None = None,
                    data_root: str | None = None) -> Dataset:
    """``--dataset-dir`` wins, then ``--dataset`` (set5|set14|bsd68 or a path), then $SRCNN_DATASET_DIR.

    Without any of them, the bundled sample photos.
    """
    chosen = dataset_dir
    if not chosen and dataset:
        chosen = str(named_set_dir(dataset.lower(), data_root)) if dataset.lower() in NAMED_SETS else dataset
    chosen = chosen or os.environ.get(DATASET_DIR_ENV)
    if not chosen:
        return sample_photos()
    directory = Path(chosen)
    folder = scan_images(directory)
    return Dataset(directory.name or str(directory), folder.files,
                   f"dataset {directory} ({len(folder.files)} images)", folder.skipped, directory)


def calibration_search(explicit: str | None, explicit_root: str | None,
                       dataset_dir: Path | None) -> tuple[Path | None, tuple[str, ...]]:
    """The INT8 calibration folder and, when none is found, every place looked (for the skip reason).

    ``--calibration-dir``, else ``<data root>/train`` when a root is named (``--data-root``, $SRCNN_DATA_ROOT);
    else ``train/`` beside the dataset folder (``Set5/../train``, as the shared data is laid out), then the
    default data root's ``train/``. Never the dataset folder itself: calibration images must not be test images.
    """
    if explicit:
        return Path(explicit), ()
    if explicit_root or os.environ.get(DATA_ROOT_ENV):
        return data_root(explicit_root) / "train", ()
    beside = [Path(os.path.abspath(dataset_dir)).parent / "train"] if dataset_dir else []
    looked: list[str] = []
    seen: set[str] = set()
    for candidate in [*beside, data_root() / "train"]:
        real = os.path.realpath(candidate)
        if real in seen:
            continue
        seen.add(real)
        if dataset_dir is not None and real == os.path.realpath(dataset_dir):
            looked.append(f"{candidate} (the dataset itself, never used)")
        elif candidate.is_dir():
            return candidate, ()
        else:
            looked.append(str(candidate))
    return None, tuple(looked)


def calibration_not_found(looked: tuple[str, ...]) -> str:
    return (f"INT8 calibration images not found: looked in {', '.join(looked)}; pass --calibration-dir, "
            "or --data-root (or SRCNN_DATA_ROOT) naming the folder that holds train/")
