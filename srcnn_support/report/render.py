"""The release report: ``report.md`` and a self-contained ``report.html`` in the artifacts directory.

The report is one run's: its results document is saved beside it (``run.json``) and every section,
the RELEASE line first, is drawn from that document alone, so the report and the terminal print the
same line and no row of an earlier run or dataset is shown as this run's.
"""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path

from srcnn_support.atomic import atomic_write_text
from srcnn_support.gate.release_verdict import headline_of
from srcnn_support.perf.machine_info import describe_machine
from srcnn_support.report.blocks import (
    Picture,
    Table,
    accuracy_blocks,
    environment_blocks,
    failure_blocks,
    full_size_blocks,
)
from srcnn_support.report.environment import environment  # noqa: F401  (read by the plugin)
from srcnn_support.report.layer_blocks import layer_blocks
from srcnn_support.report.perf_blocks import perf_blocks
from srcnn_support.report.pictures import (  # noqa: F401
    PICTURES,
    PLOT,
    RECORDED_PICTURES,
    save_side_by_side,
    throughput_plot,
)
from srcnn_support.report.release_blocks import accepted_release_blocks, merged_blocks
from srcnn_support.report.size_blocks import size_cost_blocks

RUN_DOCUMENT = "run"


def save_run(report_dir: Path, document: dict) -> None:
    atomic_write_text(report_dir / f"{RUN_DOCUMENT}.json", json.dumps(document, indent=2) + "\n")


def load_part(report_dir: Path, part: str) -> dict | None:
    path = report_dir / f"{part}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def render_markdown(sections: list[tuple[str, list]], base: Path, headline: str) -> str:
    out = [headline, "", "# SRCNN x2 release report", ""]
    for title, blocks in sections:
        out += [f"## {title}", ""]
        for block in blocks:
            if isinstance(block, Table):
                out.append("| " + " | ".join(block.header) + " |")
                out.append("|" + "---|" * len(block.header))
                out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in block.rows]
            elif isinstance(block, Picture):
                out.append(f"![{block.caption}]({block.path.relative_to(base).as_posix()})")
                out.append(f"*{block.caption}*")
            else:
                out.append(block)
            out.append("")
    return "\n".join(out)


def render_html(sections: list[tuple[str, list]], headline: str) -> str:
    def inline(text: str) -> str:
        escaped = html.escape(text)
        parts = escaped.split("`")
        return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)).replace("**", "")

    verdict_class = {"RELEASE PASS": "pass", "RELEASE UNDECIDED": "undecided"}.get(headline.split(":")[0], "fail")
    body = [f"<p class='verdict {verdict_class}'>{inline(headline)}</p>", "<h1>SRCNN x2 release report</h1>"]
    for title, blocks in sections:
        body.append(f"<h2>{html.escape(title)}</h2>")
        for block in blocks:
            if isinstance(block, Table):
                head = "".join(f"<th>{inline(h)}</th>" for h in block.header)
                rows = "".join(
                    "<tr>"
                    + "".join(
                        f"<td{' class=fail' if c.startswith('FAIL') or c == 'fail' else ''}>{inline(c)}</td>"
                        for c in row
                    )
                    + "</tr>"
                    for row in block.rows
                )
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
            elif isinstance(block, Picture):
                data = base64.b64encode(block.path.read_bytes()).decode()
                body.append(f'<figure><img alt="{html.escape(block.caption)}" src="data:image/png;base64,{data}">'
                            f"<figcaption>{html.escape(block.caption)}</figcaption></figure>")
            elif block.startswith("### "):
                body.append(f"<h3>{inline(block[4:])}</h3>")
            else:
                lines = block.split("\n")
                body.append(f"<p>{inline(lines[0])}</p>")
                if len(lines) > 1:
                    body.append("<ul>" + "".join(f"<li>{inline(item[2:])}</li>" for item in lines[1:]) + "</ul>")
    style = (
        "body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}.fail{background:#fbb;font-weight:bold}.verdict{padding:.6em;font-size:1.2em}"
        ".verdict.pass{background:#bfb;font-weight:bold}.verdict.undecided{background:#ffd;font-weight:bold}"
        "img{max-width:100%;image-rendering:pixelated}"
    )
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>SRCNN x2 release report</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def report_sections(doc: dict, report_dir: Path) -> list[tuple[str, list]]:
    sections: list[tuple[str, list]] = []
    if doc.get("machine_info") or doc.get("perf"):  # every figure below was measured there, with that code
        sections.append(("Measured on", [describe_machine(doc.get("machine_info"), doc.get("commit_info"))]))
    failures = failure_blocks(doc)
    if failures:
        sections.append(("What failed", failures))
    if doc.get("images"):
        sections.append(("Accuracy", accuracy_blocks(doc)))
        names = {r["image"] for r in doc["images"]}
        pictures = [Picture(p, f"{p.stem}: bicubic | SRCNN | ground truth (4x zoom of the most detailed 64x64 crop)")
                    for p in sorted((report_dir / PICTURES).glob("*.png")) if p.stem in names]
        recorded = {r["image"] for r in doc["images"] if r.get("dump_dir")}  # this run gated a recorded run
        pictures += [Picture(p, f"{p.stem}: bicubic | the recorded run's output | ground truth (4x zoom)")
                     for p in sorted((report_dir / RECORDED_PICTURES).glob("*.png")) if p.stem in recorded]
        if pictures:
            sections.append(("Pictures", pictures))
    layers = layer_blocks(doc, report_dir)
    if layers:
        sections.append(("Layer by layer", layers))
    full_size = doc.get("meta", {}).get("full_size")
    if full_size:
        dataset = next(iter(full_size.values())).get("dataset", "")
        part = {"dataset": dataset, "backends": full_size, "environment": doc.get("environment", {})}
        sections.append(("Standard benchmark (full-size images)", full_size_blocks([part])))
    if doc.get("perf") or doc.get("meta", {}).get("runtime_peers"):
        sections.append(("Throughput", perf_blocks(doc, throughput_plot(doc.get("perf", []), report_dir / PLOT))))
    size_cost = size_cost_blocks(doc.get("meta", {}).get("size_cost") or [], report_dir)
    if size_cost:
        sections.append(("Cost against image size", size_cost))
    against = accepted_release_blocks(doc, report_dir)
    if against:
        sections.append(("Against the accepted release", against))
    if doc.get("environment") or doc.get("meta", {}).get("merged_from"):
        sections.append(("Environment", merged_blocks(doc) + environment_blocks(doc.get("environment") or {})))
    return sections


def write_report(report_dir: Path) -> tuple[Path, Path] | None:
    doc = load_part(report_dir, RUN_DOCUMENT)
    if not doc:
        return None
    sections = report_sections(doc, report_dir)
    headline = headline_of(doc)
    md_path, html_path = report_dir / "report.md", report_dir / "report.html"
    atomic_write_text(md_path, render_markdown(sections, report_dir, headline))
    atomic_write_text(html_path, render_html(sections, headline))
    return md_path, html_path
