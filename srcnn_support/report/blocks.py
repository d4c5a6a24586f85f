"""The report's sections as blocks (tables, pictures, paragraphs), built from the stored parts."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Picture:
    path: Path
    caption: str


def _fmt(value, digits=2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _mean_or_none(values) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


def accuracy_blocks(doc: dict) -> list:
    images = doc.get("images", [])
    backends = sorted({r["backend"] for r in images}, key=lambda b: (b != "pytorch", b))
    names = sorted({r["image"] for r in images})
    by = {(r["backend"], r["image"]): r for r in images}
    verdicts = {(v["backend"], v["image"], v["check"]): v["verdict"] for v in doc.get("verdicts", [])}
    blocks: list = [
        f"Produced by `{doc.get('environment', {}).get('command', '?')}` at "
        f"{doc.get('environment', {}).get('when', '?')}; weights md5 `{doc['meta'].get('weights_md5')}` "
        f"(read as: {doc['meta'].get('weights_loaded_as', 'n/a')}); {doc['meta'].get('dataset', '')}.",
        "### Guide metric (PSNR of the bicubic input vs the output Y, dB, the published table's measure)",
        "Every backend runs the guide's way (transposed `.bin` layout, unclamped) and is judged against PyTorch "
        "run live the same way: deviation is relative, the gate is 1%. *Reference script* is the same weights run "
        "as the reference script does (natural layout, clamped). *Layout effect* is how far the guide's layout "
        "moves PyTorch itself from that: the same for every port, so it is reported, not charged to the port "
        "(docs/decisions/0007). The published table is compared as the guide states it.",
    ]
    published = doc.get("published") or {}
    header = ["image", "PyTorch, guide's way", "reference script", "layout effect %"] + \
             (["published"] if published else []) + [f"{b}" for b in backends] + ["max deviation %", "verdict"]
    rows = []
    means = {b: [] for b in backends}
    ref_values, script_values = [], []
    for name in names:
        first = next((by[(b, name)] for b in backends if (b, name) in by), {})
        ref, script = first.get("reference_guide_psnr"), first.get("reference_script_guide_psnr")
        ref_values.append(ref)
        script_values.append(script)
        effect = first.get("guide_layout_effect")
        cells = [name, _fmt(ref), _fmt(script), f"{effect * 100:+.3f}" if effect is not None else "n/a"] + \
                ([_fmt(published.get(name))] if published else [])
        worst, verdict, failing = 0.0, "pass", []
        for b in backends:
            row = by.get((b, name))
            value = row.get("guide_psnr_guide_layout") if row else None
            cells.append(_fmt(value))
            if value is not None and ref:
                means[b].append(value)
                worst = max(worst, abs(value - ref) / ref * 100)
            v = verdicts.get((b, name, "guide_psnr_vs_live_reference"))
            if v == "fail" or (row and not row.get("finite", True)):
                verdict = "FAIL"
                failing.append(b)
        rows.append(cells + [f"{worst:.2f}", _with_causes(verdict, failing, doc, name)])
    mean_ref = _mean_or_none(ref_values)
    mean_script = _mean_or_none(script_values)
    mean_effect = f"{(mean_ref - mean_script) / mean_script * 100:+.3f}" if mean_ref and mean_script else "n/a"
    mean_cells = ["**mean**", _fmt(mean_ref, 3), _fmt(mean_script, 3), mean_effect] + (
        [_fmt(float(np.mean(list(published.values()))), 3)] if published else []
    )
    worst = 0.0
    for b in backends:
        m = float(np.mean(means[b])) if means[b] else None
        mean_cells.append(_fmt(m, 3))
        if m is not None and mean_ref:
            worst = max(worst, abs(m - mean_ref) / mean_ref * 100)
    mean_failing = [b for b in backends if verdicts.get((b, None, "mean_guide_psnr_vs_live_reference")) == "fail"]
    mean_verdict = "FAIL" if mean_failing else "pass"
    rows.append(mean_cells + [f"{worst:.2f}", _with_causes(mean_verdict, mean_failing, doc, None)])
    blocks.append(Table(header, rows))
    blocks += backend_status_blocks(doc, backends)

    blocks.append("### Standard SR metric (PSNR / SSIM on MATLAB Y of the saved images vs ground truth, shave 2)")
    header = ["image", "bicubic PSNR / SSIM"] + [f"{b} PSNR / SSIM" for b in backends] + ["gain over bicubic (dB)"]
    rows = []
    sums = {b: [] for b in backends}
    bic = []
    for name in names:
        first = next(by[(b, name)] for b in backends if (b, name) in by)
        if first.get("bicubic_psnr") is not None:  # a GPU-only results file may carry guide figures alone
            bic.append((first["bicubic_psnr"], first["bicubic_ssim"]))
        cells = [name, f"{_fmt(first.get('bicubic_psnr'))} / {_fmt(first.get('bicubic_ssim'), 4)}"]
        for b in backends:
            row = by.get((b, name))
            cells.append(f"{_fmt(row.get('standard_psnr'))} / {_fmt(row.get('standard_ssim'), 4)}" if row else "n/a")
            if row and row.get("standard_psnr") is not None:
                sums[b].append((row["standard_psnr"], row.get("standard_ssim", math.nan)))
        ref_row = by.get((backends[0], name))
        gain = (
            ref_row["standard_psnr"] - ref_row["bicubic_psnr"]
            if ref_row and ref_row.get("standard_psnr") is not None and ref_row.get("bicubic_psnr") is not None
            else None
        )
        rows.append(cells + [_fmt(gain)])
    mean_bic = np.mean(bic, axis=0) if bic else (math.nan, math.nan)
    cells = ["**mean**", f"{_fmt(float(mean_bic[0]), 3)} / {_fmt(float(mean_bic[1]), 4)}"]
    for b in backends:
        m = np.mean(sums[b], axis=0) if sums[b] else None
        cells.append(f"{_fmt(float(m[0]), 3)} / {_fmt(float(m[1]), 4)}" if m is not None else "n/a")
    first_mean = np.mean(sums[backends[0]], axis=0)[0] if backends and sums[backends[0]] else None
    rows.append(cells + [_fmt(float(first_mean - mean_bic[0]) if first_mean is not None else None, 3)])
    blocks.append(Table(header, rows))
    failed = [v for v in doc.get("verdicts", []) if v["verdict"] == "fail"]
    skipped = sorted({v["reason"] for v in doc.get("verdicts", []) if v["verdict"] == "skip" and v.get("reason")})
    blocks.append(
        f"Checks: {sum(v['verdict'] == 'pass' for v in doc.get('verdicts', []))} passed, {len(failed)} failed."
        + ("".join(f"\n- skipped: {s}" for s in skipped))
        + "".join(f"\n- {b}: {d['summary']}" for b, d in sorted(doc["meta"].get("diagnosis", {}).items()))
    )
    return blocks


def backend_status_blocks(doc: dict, measured: list[str]) -> list:
    """One row per backend: measured, skipped (what is missing) or broken (the cause), so none goes unseen."""
    runtime = {v["backend"]: v for v in doc.get("verdicts", []) if v["check"] == "runtime"}
    rows = [[b, f"measured ({sum(r['backend'] == b for r in doc.get('images', []))} images)"]
            for b in measured if b not in runtime]
    rows += [[b, f"**BROKEN**: {v.get('reason', '')}" if v["verdict"] == "fail" else f"skipped: {v.get('reason', '')}"]
             for b, v in sorted(runtime.items())]
    return ["### Backends", Table(["backend", "status"], rows)] if rows else []


def _with_causes(verdict: str, failing: list[str], doc: dict, image: str | None) -> str:
    """A failing row names the diagnosed cause of each failing backend beside its verdict."""
    diagnoses = doc.get("meta", {}).get("diagnosis", {})
    causes = [f"{b}: {diagnoses[b]['images'].get(image, diagnoses[b]['cause']) if image else diagnoses[b]['cause']}"
              for b in failing if b in diagnoses]
    return f"{verdict} (cause {'; '.join(causes)})" if causes else verdict


def full_size_blocks(parts: list[dict]) -> list:
    from srcnn_support.score.fullsize import PAPER_X2_PSNR

    # the fp32 figures' backend first (the fastest exact one, decision 0012; PyTorch in results written before it)
    reference = next((r.get("fp32_reference") for p in parts for r in p["backends"].values()
                      if r.get("fp32_reference")), "pytorch")
    backends = sorted({b for p in parts for b in p["backends"]}, key=lambda b: (b != reference, b != "pytorch", b))
    header = ["dataset", "images", "bicubic PSNR / SSIM", "paper: bicubic / SRCNN"] + \
             [f"{b} PSNR / SSIM" + (" (fp32 figures)" if b == reference else "") for b in backends] + \
             ["gain over bicubic (dB)"]
    rows = []
    for part in sorted(parts, key=lambda p: p["dataset"]):
        first = (
            part["backends"][backends[0]] if backends[0] in part["backends"] else next(iter(part["backends"].values()))
        )
        paper = PAPER_X2_PSNR.get(part["dataset"])
        cells = [
            part["dataset"],
            str(first["images"]),
            f"{_fmt(first['bicubic_psnr'])} / {_fmt(first['bicubic_ssim'], 4)}",
            f"{paper[1]:.2f} / {paper[0]:.2f}" if paper else "not published",
        ]
        for b in backends:
            r = part["backends"].get(b)
            cells.append(f"{_fmt(r['psnr'])} / {_fmt(r['ssim'], 4)}" if r else "n/a")
        cells.append(_fmt(first["psnr"] - first["bicubic_psnr"]))
        rows.append(cells)
    return ["Full-size images cropped to a multiple of 2, PIL bicubic down/up, PSNR/SSIM on MATLAB Y with a "
            "2-pixel shave. Paper: Dong et al., SRCNN 9-5-5 x2 (Set5 36.66 / bicubic 33.66 dB; Set14 bicubic "
            "30.23 dB as the issue states, SRCNN 32.45 dB from the paper's table); the paper publishes no BSD68 row.",
            Table(header, rows)]


def environment_blocks(env: dict) -> list:
    rows = [["command", f"`{env.get('command')}`"], ["when", env.get("when", "")], ["python", env.get("python", "")],
            ["platform", env.get("platform", "")], ["CPU", env.get("cpu", "")],
            ["CPU int8 class", env.get("cpu_int8_class", "")], ["GPU", env.get("gpu", "")],
            ["NPU", env.get("npu", "")]]
    rows += [[k, v] for k, v in env.get("versions", {}).items()]
    weights = env.get("weights", {})
    rows += [["weights", weights.get("path", "")], ["weights md5", f"`{weights.get('md5', '')}`"],
             ["weights sha256", f"`{weights.get('sha256', '')}`"]]
    rows += [[f"dataset {name}", f"sha256 `{digest}`"] for name, digest in sorted(env.get("dataset", {}).items())]
    rows += [[f"given {a['kind']}", f"{a['path']} sha256 `{a['sha256']}`"] for a in env.get("given_artifacts", [])]
    return [Table(["item", "value"], rows)]



def failure_blocks(doc: dict) -> list:
    """Every failed check of the run (the RELEASE line's groups, one row each) and why others were not decided;
    the test that decided each is in the results JSON (``checks[].test``)."""
    release = doc.get("release") or {}
    failed = sorted((c for c in doc.get("checks", []) if c["verdict"] == "fail"),
                    key=lambda c: (c["check"], c["backend"], c.get("image") or "", c.get("batch_size") or 0))
    blocks: list = []
    if failed:
        rows = [[c["check"], c["backend"],
                 c.get("image") or (f"bs{c['batch_size']}" if c.get("batch_size") else "mean"),
                 _fmt(c.get("measured"), 4), _fmt(c.get("reference"), 4), c.get("tolerance") or "",
                 (c.get("explanation") or c.get("reason") or "").split("\n")[0]] for c in failed]
        blocks.append(Table(["check", "subject", "scope", "measured", "reference", "tolerance", "why"], rows))
    if release.get("why_undecided"):
        blocks.append("Not decided:" + "".join(f"\n- {why}" for why in release["why_undecided"]))
    return blocks
