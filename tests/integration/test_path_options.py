"""Path-valued options written with a space run exactly as with ``=``, and pytest writes its cache only in
the artifacts folder (srcnn_support/plugin/cmdline.py), run as a user runs them (a pytest subprocess)."""
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from srcnn_support.export.onnx_export import export_onnx
from srcnn_support.model.network import load_model
from tests.conftest import DATA_ROOT, ROOT, WEIGHTS

SELECTION = ("-m", "accuracy", "-k", "test_int8_calibration_images_are_not_test_images")
# The selected test is set aside (exit 5, nothing run) where no INT8 calibration images can be found.
needs_calibration_images = pytest.mark.skipif(not (DATA_ROOT / "train").is_dir(),
                                              reason=f"INT8 calibration images not found at {DATA_ROOT / 'train'}")


def _pytest(*args, cwd=ROOT):
    env = {**os.environ, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "pytest", *SELECTION, *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def _photos(folder, names=("bird", "head")):
    """A writable dataset of small PNGs (not a copy of the shared data)."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in names:
        Image.fromarray(rng.integers(0, 256, (48, 40, 3), dtype=np.uint8)).save(folder / f"{name}.png")
    return folder


def _setup_and_ids(result):
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    return [line for line in lines if line.startswith(("rootdir:", "configfile:", "testpaths:"))], \
        [line.split(" ")[0] for line in lines if "::" in line]


def _pytest_caches(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.name in (".pytest_cache",
                                                                                            "pytest-cache"))


@needs_calibration_images
def test_dataset_dir_with_a_space_runs_as_with_equals(tmp_path):
    dataset = _photos(tmp_path / "Set5")
    relative = os.path.relpath(dataset, ROOT)
    runs = {form: _setup_and_ids(_pytest("-v", f"--artifacts-dir={tmp_path / form}", *args)) for form, args in [
        ("equals", [f"--dataset-dir={dataset}"]),
        ("space", ["--dataset-dir", str(dataset)]),
        ("space-relative", ["--dataset-dir", relative]),
    ]}
    setup, ids = runs["equals"]
    assert setup == [f"rootdir: {ROOT}", "configfile: pytest.ini", "testpaths: tests"]
    assert ids == ["tests/gates/test_accuracy.py::test_int8_calibration_images_are_not_test_images"]
    assert runs["space"] == runs["equals"] and runs["space-relative"] == runs["equals"]
    # pytest's cache went into each run's artifacts folder, and nowhere near the dataset.
    assert _pytest_caches(tmp_path) == ["equals/pytest-cache", "space-relative/pytest-cache", "space/pytest-cache"]
    assert sorted(p.name for p in dataset.iterdir()) == ["bird.png", "head.png"]


def test_every_path_option_with_a_space_collects_as_with_equals(tmp_path):
    """All the path-valued options at once, each pointing outside the project."""
    for folder in ("artifacts", "dump"):
        (tmp_path / folder).mkdir()
    _photos(tmp_path / "calibration", names=("calib",))
    (tmp_path / "srcnn.pth").write_bytes(WEIGHTS.read_bytes())
    (tmp_path / "srcnn_bs1.om").write_bytes(b"om")
    export_onnx(load_model(WEIGHTS), tmp_path / "model.onnx", None)  # given files are checked at the start
    (tmp_path / "results.json").write_text("{}")
    (tmp_path / "perf_vision_batchsize_1_device_0.txt").write_text("")
    options = {"--dataset-dir": _photos(tmp_path / "Set5"), "--data-root": tmp_path,
               "--weights": tmp_path / "srcnn.pth", "--artifacts-dir": tmp_path / "artifacts",
               "--results-json": tmp_path / "results.json", "--calibration-dir": tmp_path / "calibration",
               "--om": tmp_path / "srcnn_bs1.om", "--perf-log": tmp_path / "perf_vision_batchsize_1_device_0.txt",
               "--onnx": tmp_path / "model.onnx", "--dump-dir": tmp_path / "dump"}
    equals = _pytest("--collect-only", *[f"{name}={value}" for name, value in options.items()])
    space = _pytest("--collect-only", *[arg for name, value in options.items() for arg in (name, str(value))])
    assert f"rootdir: {ROOT}" in equals.stdout.splitlines(), equals.stdout[-3000:] + equals.stderr[-2000:]
    assert "<Function test_int8_calibration_images_are_not_test_images>" in equals.stdout
    timing = -1  # the last line says how long collection took
    assert space.stdout.splitlines()[:timing] == equals.stdout.splitlines()[:timing]
    assert (space.returncode, space.stderr) == (equals.returncode, equals.stderr)
    assert not list(tmp_path.rglob(".pytest_cache"))


@needs_calibration_images
def test_a_run_from_another_folder_writes_only_in_the_artifacts_folder(tmp_path):
    """pytest's cache and pytest-benchmark's storage (by default ``./.benchmarks``) go in the artifacts folder."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dataset = _photos(tmp_path / "Set5")
    result = _pytest(str(ROOT / "tests" / "gates"), "--dataset-dir", str(dataset),
                     f"--artifacts-dir={tmp_path / 'artifacts'}", cwd=elsewhere)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert list(elsewhere.iterdir()) == [] and sorted(p.name for p in dataset.iterdir()) == ["bird.png", "head.png"]
    assert {"pytest-cache", "benchmarks"} <= {p.name for p in (tmp_path / "artifacts").iterdir()}
