"""One verdict over several jobs: the results documents of runs made on different machines (the accuracy job on a
CPU runner, the perf jobs on an Ascend host and a T4 host) merged into one document and one RELEASE line.

Runs of different weights or artifacts are refused, naming the difference: their verdicts are about different
releases. A check two documents decide differently is a conflict; it is kept as a failed check, so the merged
release fails and says where.
"""
from __future__ import annotations

from pathlib import Path

from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.release_verdict import release_verdict
from srcnn_support.gate.verdicts import CheckRecord
from srcnn_support.release.store import read_results

SCHEMA = "srcnn-gate/results/1"


def _artifacts(document: dict) -> dict[str, str]:
    """What a run gated, by name: the weights, a given ONNX, each .om."""
    meta = document.get("meta", {})
    named = {"weights": meta.get("weights_sha256")}
    named.update({f"onnx {Path(a['path']).name}": a.get("sha256") for a in meta.get("given_artifacts", [])})
    named.update({f"om {row['om']}": row["om_sha256"] for row in document.get("perf", []) if row.get("om_sha256")})
    return {name: digest for name, digest in named.items() if digest}


def _refuse_different_releases(sources: list[tuple[Path, dict]]) -> None:
    first_path, first = sources[0]
    mine = _artifacts(first)
    for path, document in sources[1:]:
        theirs = _artifacts(document)
        if "weights" not in mine or "weights" not in theirs:
            continue  # a recorded perf log alone names no weights
        for name in sorted(set(mine) & set(theirs)):
            if mine[name] != theirs[name]:
                raise SrcnnGateError(path, f"gates other {name} than {first_path} (sha256 {theirs[name][:16]} vs "
                                           f"{mine[name][:16]}): runs of different releases are not merged")


def merge_documents(paths: list[Path]) -> dict:
    if len(paths) < 2:
        raise SrcnnGateError(paths[0] if paths else None, "merge needs two or more results documents")
    sources = [read_results(Path(p)) for p in paths]
    _refuse_different_releases(sources)
    checks: dict[tuple, tuple[Path, dict]] = {}
    conflicts: list[CheckRecord] = []
    images: dict[tuple, dict] = {}
    perf: list[dict] = []
    not_decided: list[str] = []
    for path, document in sources:
        for row in document.get("checks", []):
            record = CheckRecord.from_row(row)
            if record.key in checks and checks[record.key][1]["verdict"] != row["verdict"]:
                other_path, other = checks[record.key]
                message = f"the jobs disagree: {other['verdict']} in {other_path}, {row['verdict']} in {path}"
                conflicts.append(CheckRecord(record.backend, record.image, f"{record.check} (merge conflict)", False,
                                             reason=message, explanation=message, batch_size=record.batch_size,
                                             target=record.target))
            checks.setdefault(record.key, (path, row))
        for row in document.get("images", []):
            images.setdefault((row["backend"], row["image"]), row)
        perf += document.get("perf", [])
        not_decided += (document.get("release") or {}).get("why_undecided", [])
    rows = [row for _, row in checks.values()] + [c.to_row() for c in conflicts]
    meta = dict(sources[0][1].get("meta", {}))
    meta["merged_from"] = [{"path": str(path), "run": document.get("meta", {}).get("run", {}),
                            "machine": document.get("meta", {}).get("machine"),
                            "release": (document.get("release") or {}).get("headline")} for path, document in sources]
    meta["machine"] = next((d["meta"].get("machine") for _, d in sources if d.get("images")), meta.get("machine"))
    verdict = release_verdict(rows, list(dict.fromkeys(not_decided)))
    return {"schema": SCHEMA, "release": verdict.as_dict(), "meta": meta,
            "images": [images[key] for key in sorted(images)],
            "dataset_verdicts": [v for _, d in sources for v in d.get("dataset_verdicts", [])],
            "verdicts": [v for _, d in sources for v in d.get("verdicts", [])],
            "perf": sorted(perf, key=lambda r: (r.get("target", ""), r.get("backend", ""), r.get("batch_size", 0))),
            "checks": rows, "environment": sources[0][1].get("environment", {}),
            "published": next((d["published"] for _, d in sources if d.get("published")), {})}
