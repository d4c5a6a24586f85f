"""The suite's configuration, resolved from pytest options (or any mapping) by plain functions."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from srcnn_support.convert.om_files import given_om_models
from srcnn_support.prepare.datasets import Dataset, calibration_search, resolve_dataset

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WEIGHTS = PROJECT_ROOT / "fixtures" / "weights" / "srcnn_x2_gate.pth"
PUBLISHED_TABLE = PROJECT_ROOT / "fixtures" / "published" / "set5_guide_psnr.json"
TARGETS_FILE = PROJECT_ROOT / "fixtures" / "targets.json"
DEFAULT_ARTIFACTS = Path(os.environ.get("SRCNN_ARTIFACTS_DIR", PROJECT_ROOT / ".srcnn-artifacts"))


@dataclass(frozen=True)
class GateConfig:
    weights: Path
    dataset: Dataset
    artifacts_dir: Path
    target: str
    results_json: Path | None
    require_target: bool
    devices: tuple[int, ...]
    soc_version: str | None
    precision_mode: str
    calibration_dir: Path | None
    perf_logs: tuple[Path, ...] = ()
    given_om: tuple[tuple[int, Path], ...] = ()  # --om: the user's own .om files, by batch size
    onnx: Path | None = None  # --onnx: gate this model instead of one exported from the weights
    calibration_looked: tuple[str, ...] = ()  # where INT8 calibration images were looked for, when none were found
    baseline: Path | None = None  # --baseline: the store of accepted releases this run is compared with
    require_baseline: bool = False
    sizes: tuple[int, ...] = ()  # --sizes: square sides at which cost against image size is recorded

    @property
    def report_dir(self) -> Path:
        """report.md / report.html and their parts live at the top of the artifacts directory."""
        return self.artifacts_dir


def gate_config(option) -> GateConfig:
    """``option(name)`` returns the value of ``--name`` (pytest's ``config.getoption`` fits)."""
    from srcnn_support.perf.size_cost import parse_sizes

    devices = option("devices")
    dataset = resolve_dataset(option("dataset_dir"), option("dataset"), option("data_root"))
    calibration_dir, looked = calibration_search(option("calibration_dir"), option("data_root"), dataset.directory)
    return GateConfig(
        weights=Path(option("weights") or os.environ.get("SRCNN_WEIGHTS") or DEFAULT_WEIGHTS),
        dataset=dataset,
        artifacts_dir=Path(option("artifacts_dir") or DEFAULT_ARTIFACTS),
        target=option("target"),
        results_json=Path(option("results_json")) if option("results_json") else None,
        require_target=bool(option("require_target")),
        devices=tuple(int(d) for d in devices.split(",")) if devices else (),
        soc_version=option("soc_version"),
        precision_mode=option("precision_mode"),
        calibration_dir=calibration_dir,
        perf_logs=tuple(Path(p) for p in option("perf_log") or ()),
        given_om=given_om_models(option("om")),
        onnx=Path(option("onnx")) if option("onnx") else None,
        calibration_looked=looked,
        baseline=Path(option("baseline")) if option("baseline") else None,
        require_baseline=bool(option("require_baseline")),
        sizes=parse_sizes(option("sizes")),
    )


def check_given_files(gate: GateConfig) -> None:
    """Every file the user named, refused at the start with one ``SrcnnGateError`` line, never once per test."""
    from srcnn_support.convert.artifacts import given_onnx
    from srcnn_support.errors import SrcnnGateError
    from srcnn_support.model.network import read_weights

    read_weights(gate.weights)  # the one loader: missing, unreadable or not SRCNN weights
    if gate.onnx is not None:
        given_onnx(gate.onnx)
    for path in gate.perf_logs:
        if not path.is_file():
            raise SrcnnGateError(path, "--perf-log: file not found")
    check_artifacts_dir(gate.artifacts_dir)


def check_artifacts_dir(folder: Path) -> None:
    """Create the artifacts folder and write a probe file in it: as root, permission bits alone may not stop writes,
    so only a real write says whether the cache, the report and pytest's cache can go there."""
    from srcnn_support.errors import SrcnnGateError

    if folder.exists() and not folder.is_dir():
        raise SrcnnGateError(folder, "--artifacts-dir: not a folder (a file is in its place)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-probe-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise SrcnnGateError(folder, f"--artifacts-dir: cannot create or write in this folder "
                                     f"({exc.strerror or exc})") from None
