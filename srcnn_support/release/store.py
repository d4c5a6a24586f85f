"""The accepted releases: plain JSON files, one per release, numbered in the order they were accepted.

``STORE/releases/0001-<UTC time>-<run id>.json``, ... A team commits the folder or keeps it as a CI artifact.
Two jobs may accept at once: the number is taken under a lock file and each record is written beside its
final name and renamed into place, so a reader never sees half a record and no two records share a number.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from srcnn_support.atomic import atomic_write_text
from srcnn_support.cache import FileLock  # filelock, or the fcntl fallback where it is absent
from srcnn_support.errors import SrcnnGateError

SCHEMA = "srcnn-gate/accepted-release/1"
RESULTS_SCHEMA = "srcnn-gate/results/1"
RECORD_NAME = re.compile(r"^(\d{4,})-[^.]*\.json$")
IMAGE_FIELDS = ("backend", "image", "precision", "versions", "guide_psnr_guide_layout", "standard_psnr",
                "standard_ssim", "output_sha256")
PERF_FIELDS = ("target", "backend", "precision", "batch_size", "device", "timer", "figure_source", "fps",
               "fps_median", "chips_per_card", "fps_per_card_estimate", "versions", "om", "om_sha256", "machine")


@dataclass(frozen=True)
class AcceptedRelease:
    path: Path
    record: dict

    @property
    def sequence(self) -> int:
        return int(self.record["sequence"])

    @property
    def label(self) -> str:
        return f"accepted release {self.sequence} ({self.record.get('accepted_at', 'undated')}, {self.path.name})"

    def image_rows(self) -> dict[tuple[str, str], dict]:
        return {(row["backend"], row["image"]): row for row in self.record.get("images", [])}

    def perf_rows(self) -> dict[tuple, dict]:
        return {perf_key(row): row for row in self.record.get("perf", [])}


def perf_key(row: dict) -> tuple:
    return row.get("target"), row.get("backend"), row.get("precision"), row.get("batch_size"), row.get("device", 0)


def read_results(path: Path) -> tuple[Path, dict]:
    """A run's results JSON, given as the file or as the artifacts folder that holds ``results.json``."""
    path = Path(path)
    file = path
    if path.is_dir():  # --results-json's usual place, else the run document every gate run leaves for the report
        file = next((f for f in (path / "results.json", path / "run.json") if f.is_file()), path / "results.json")
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SrcnnGateError(file, "no results JSON here (give a run's artifacts folder or its results.json)") from None
    except (OSError, ValueError) as exc:
        raise SrcnnGateError(file, f"not a readable results JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("schema") != RESULTS_SCHEMA:
        raise SrcnnGateError(file, f"not a srcnn-gate results document (schema {RESULTS_SCHEMA!r} expected)")
    return file, document


def accepted_record(document: dict, source: Path) -> dict:
    """What the store keeps of a finished run: per image and backend its metrics and output digest, the perf rows,
    the artifacts' digests, the suite and the machine."""
    release = document.get("release") or {}
    if release.get("status") == "FAIL":
        raise SrcnnGateError(source, f"{release.get('headline', 'RELEASE FAIL')[:200]}: a failed run is not "
                                     "accepted as the baseline")
    images = [{k: row[k] for k in IMAGE_FIELDS if k in row} for row in document.get("images", [])]
    perf = [{k: row[k] for k in PERF_FIELDS if k in row} for row in document.get("perf", [])
            if row.get("verdict") != "broken" and row.get("fps") is not None]
    if not images and not perf:
        raise SrcnnGateError(source, "the run measured no image and no throughput: nothing to accept")
    meta = document.get("meta", {})
    oms = sorted({(row.get("om"), row.get("om_sha256")) for row in perf if row.get("om_sha256")})
    return {
        "schema": SCHEMA,
        "source": str(source),
        "run": meta.get("run", {}),
        "release": release.get("headline"),
        "suite": meta.get("suite"),
        "machine": meta.get("machine"),
        "artifacts": {"weights_sha256": meta.get("weights_sha256"), "weights_md5": meta.get("weights_md5"),
                      "onnx": meta.get("given_artifacts", []),
                      "om": [{"name": name, "sha256": digest} for name, digest in oms]},
        "dataset": meta.get("dataset"),
        "images": images,
        "perf": perf,
    }


def release_summary(images: list[dict], perf: list[dict]) -> dict:
    """Mean guide PSNR per backend and throughput per target/backend/batch: one point per release in the trend."""
    guide: dict[str, list[float]] = {}
    for row in images:
        if row.get("guide_psnr_guide_layout") is not None:
            guide.setdefault(row["backend"], []).append(float(row["guide_psnr_guide_layout"]))
    fps = {f"{r.get('target')}/{r.get('backend')}/bs{r.get('batch_size')}": r.get("fps_median") or r["fps"]
           for r in perf if r.get("fps") is not None and r.get("device", 0) == 0}
    return {"mean_guide_psnr": {backend: sum(v) / len(v) for backend, v in guide.items()}, "fps": fps}


NO_BASELINE = "no --baseline STORE given: this run is not compared with an accepted release"


def latest_or_reason(store: Path | None) -> tuple[AcceptedRelease | None, str | None]:
    """The release to compare with, or why there is none (no store named, none there, one unreadable)."""
    if store is None:
        return None, NO_BASELINE
    try:
        return ReleaseStore(store).latest(), None
    except SrcnnGateError as exc:
        return None, str(exc)


class ReleaseStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.folder = self.root / "releases"

    def accept(self, record: dict) -> AcceptedRelease:
        self.folder.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.root / ".accept.lock")):
            sequence = max((number for number, _ in self._files()), default=0) + 1
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            run_id = re.sub(r"[^A-Za-z0-9]", "", str((record.get("run") or {}).get("id", "")))[:12] or "run"
            path = self.folder / f"{sequence:04d}-{stamp}-{run_id}.json"
            record = {**record, "sequence": sequence, "accepted_at": time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                                                                  time.gmtime())}
            atomic_write_text(path, json.dumps(record, indent=2) + "\n")
        return AcceptedRelease(path, record)

    def releases(self) -> list[AcceptedRelease]:
        """Every accepted release, oldest first; a record that cannot be read is named, never skipped."""
        accepted = []
        for _, path in sorted(self._files()):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise SrcnnGateError(path, f"accepted release unreadable ({exc})") from None
            if not isinstance(record, dict) or record.get("schema") != SCHEMA:
                raise SrcnnGateError(path, f"not an accepted-release record (schema {SCHEMA!r} expected)")
            accepted.append(AcceptedRelease(path, record))
        return accepted

    def history(self) -> list[dict]:
        """Each accepted release's trend point, oldest first."""
        return [{"sequence": r.sequence, "accepted_at": r.record.get("accepted_at"),
                 **release_summary(r.record.get("images", []), r.record.get("perf", []))} for r in self.releases()]

    def latest(self) -> AcceptedRelease:
        if not self.root.is_dir():
            raise SrcnnGateError(self.root, "--baseline: no such release store (make one with "
                                            "'python -m srcnn_support accept --results RUN --store STORE')")
        releases = self.releases()
        if not releases:
            raise SrcnnGateError(self.root, "--baseline: the store holds no accepted release yet")
        return releases[-1]

    def _files(self) -> list[tuple[int, Path]]:
        if not self.folder.is_dir():
            return []
        return [(int(m[1]), p) for p in self.folder.iterdir() if (m := RECORD_NAME.match(p.name))]
