"""``accept``: record a finished run as the accepted release that later runs are gated against (``--baseline``);
``merge``: one results document, report and RELEASE line over the runs of several CI jobs."""
from __future__ import annotations

import argparse
from pathlib import Path


def _cmd_accept(args: argparse.Namespace) -> int:
    from srcnn_support.release.store import ReleaseStore, accepted_record, read_results

    source, document = read_results(Path(args.results))
    accepted = ReleaseStore(Path(args.store)).accept(accepted_record(document, source))
    record = accepted.record
    print(f"accepted release {accepted.sequence}: {accepted.path}")
    print(f"  from {source}: {record.get('release') or 'no RELEASE line'}")
    print(f"  {len(record['images'])} image x backend rows, {len(record['perf'])} perf rows; weights sha256 "
          f"{(record['artifacts'].get('weights_sha256') or 'unknown')[:16]}")
    return 0


def _cmd_merge(args: argparse.Namespace) -> int:
    import json
    import shutil

    from srcnn_support.atomic import atomic_write_text
    from srcnn_support.release.merge import merge_documents
    from srcnn_support.report import render as report

    document = merge_documents([Path(p) for p in args.results])
    out = Path(args.out)
    for source in document["meta"]["merged_from"]:
        print(f"{source['path']}: {source['release'] or 'no RELEASE line'}")
        pictures = Path(source["path"]).parent / report.PICTURES  # the reference crops a run saved for its report
        if pictures.is_dir() and not (out / report.PICTURES).is_dir():
            shutil.copytree(pictures, out / report.PICTURES)
    atomic_write_text(out / "results.json", json.dumps(document, indent=2) + "\n")
    report.save_run(out, document)
    paths = report.write_report(out)
    print(document["release"]["headline"])
    print(f"merged results: {out / 'results.json'}; report: {paths[0]} and {paths[1]}")
    return 1 if document["release"]["status"] == "FAIL" else 0


def add_release_commands(sub) -> None:
    p = sub.add_parser("accept", help="record a finished run as the accepted release (the baseline of --baseline)")
    p.add_argument("--results", required=True, help="the run's artifacts folder or its results JSON")
    p.add_argument("--store", required=True, help="the folder of accepted releases (created if absent)")
    p.set_defaults(handler=_cmd_accept)

    p = sub.add_parser("merge", help="one results document, report and RELEASE line over several jobs' runs")
    p.add_argument("--out", required=True, help="folder for the merged results.json and report")
    p.add_argument("results", nargs="+", help="each job's artifacts folder or results JSON")
    p.set_defaults(handler=_cmd_merge)
