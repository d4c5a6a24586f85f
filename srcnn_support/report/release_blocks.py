"""The report's release-to-release part: this run against the accepted release, the trend over the stored releases
with this run marked, and the runs a merged report was made from."""
from __future__ import annotations

from pathlib import Path

from srcnn_support.atomic import atomic_write_via
from srcnn_support.report.blocks import Picture, Table

TREND_PLOT = "trend.png"
UNITS = {"standard_psnr_vs_accepted": " dB", "guide_psnr_vs_accepted": " dB", "standard_ssim_vs_accepted": "",
         "throughput_vs_accepted": " img/s"}


def _figure(value, check: str) -> str:
    if value is None:
        return "-"
    return f"{value:.5f}" if check == "standard_ssim_vs_accepted" else f"{value:.4f}" if "psnr" in check \
        else f"{value:.3f}"


def accepted_release_blocks(doc: dict, report_dir: Path) -> list:
    baseline = doc.get("meta", {}).get("baseline") or {}
    checks = [c for c in doc.get("checks", []) if c["check"].endswith("_vs_accepted")]
    if not checks and not baseline.get("store"):
        return []
    blocks: list = [f"Compared with {baseline.get('label') or 'no accepted release'}"
                    + (f": {baseline['why_none']}" if baseline.get("why_none") else "")
                    + ". Tolerances and why: docs/decisions/0008-release-to-release.md."]
    rows = []
    for c in sorted(checks, key=lambda c: (c["verdict"] != "fail", c.get("target") or "", c["backend"],
                                           c["image"] or "", c["check"])):
        change = (f"{c['measured'] - c['reference']:+.4g}{UNITS.get(c['check'], '')}"
                  if c["measured"] is not None and c["reference"] is not None else "-")
        scope = c["image"] or (f"bs{c['batch_size']}" if c.get("batch_size") is not None else "all")
        verdict = c["verdict"].upper() if c["verdict"] != "skip" else f"not decided: {c.get('reason') or ''}"
        rows.append([c["backend"], scope, c["check"], _figure(c["reference"], c["check"]),
                     _figure(c["measured"], c["check"]), change, verdict])
    if rows:
        blocks.append(Table(["subject", "image / batch", "check", "accepted", "this run", "change", "verdict"], rows))
    plot = trend_plot(doc, report_dir / TREND_PLOT)
    if plot:
        blocks.append(Picture(plot, "Mean guide PSNR and throughput over the accepted releases; this run marked"))
    return blocks


def merged_blocks(doc: dict) -> list:
    merged = doc.get("meta", {}).get("merged_from") or []
    if not merged:
        return []
    rows = [[m["path"], (m.get("run") or {}).get("id", "-"),
             ", ".join(f"{k} {v}" for k, v in (m.get("machine") or {}).items()) or "-", m.get("release") or "-"]
            for m in merged]
    return ["### Runs merged", Table(["results", "run id", "machine", "its RELEASE line"], rows)]


def trend_plot(doc: dict, path: Path) -> Path | None:
    from srcnn_support.release.store import release_summary

    history = (doc.get("meta", {}).get("baseline") or {}).get("history") or []
    if not history:
        return None
    try:
        import matplotlib
    except ImportError:  # optional: the table stays
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    current = {"sequence": history[-1]["sequence"] + 1, **release_summary(doc.get("images", []), doc.get("perf", []))}
    fig, (quality, speed) = plt.subplots(1, 2, figsize=(11, 4), dpi=100)
    for axis, field, label in ((quality, "mean_guide_psnr", "mean guide PSNR (dB)"),
                               (speed, "fps", "images / s")):
        names = sorted({key for point in history + [current] for key in point[field]})
        if not names:  # e.g. accuracy-only releases: say so rather than draw an empty frame
            axis.text(0.5, 0.5, f"no {label} in these releases", ha="center", va="center", transform=axis.transAxes)
        for series in names:
            accepted = [(p["sequence"], p[field][series]) for p in history if series in p[field]]
            line = axis.plot([x for x, _ in accepted], [y for _, y in accepted], marker="o", label=series)
            if series in current[field]:
                axis.plot([current["sequence"]], [current[field][series]], marker="*", markersize=14,
                          color=line[0].get_color(), linestyle="none")
        axis.set_xlabel("accepted release (star: this run)")
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
        if names:
            axis.legend(fontsize=7)
    fig.tight_layout()
    atomic_write_via(path, lambda tmp: fig.savefig(tmp, format="png"))
    plt.close(fig)
    return path
