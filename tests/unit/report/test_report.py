import json

import numpy as np
import pytest

from srcnn_support.gate.config import TARGETS_FILE
from srcnn_support.gate.perf_rules import per_card_rows
from srcnn_support.gate.targets import load_targets
from srcnn_support.report import render as report
from srcnn_support.report.results import ResultsRecorder


def _recorder() -> ResultsRecorder:
    recorder = ResultsRecorder()
    for backend, offset in (("pytorch", 0.0), ("onnxruntime", 0.01)):
        for image, value in (("woman", 36.9), ("bird", 37.7)):
            recorder.add_measurement(backend, image, {
                "guide_psnr_guide_layout": value + offset, "reference_guide_psnr": value, "standard_psnr": value - 1,
                "standard_ssim": 0.95, "bicubic_psnr": value - 3, "bicubic_ssim": 0.9, "finite": True})
            recorder.add_verdict(backend, image, "guide_psnr_vs_live_reference", True, value + offset, value, "1%")
    recorder.add_perf({"target": "cpu", "backend": "onnxruntime", "precision": "fp32", "batch_size": 1, "fps": 20.0,
                       "gflops": 150.0, "latency_median_ms": 50.0, "latency_p99_ms": 60.0, "gated": True,
                       "verdict": "pass", "device": 0, "harness_over_bare": 0.998,
                       "harness_over_bare_interval": [0.971, 1.024],
                       "cold_start": {"artifacts_build_s": 1.9, "artifacts_built": [], "session_s": 0.48,
                                      "first_call_ms": 31.25, "ready_s": 2.411}})
    recorder.add_perf(
        {
            "target": "cpu",
            "backend": "onnxruntime-int8",
            "precision": "int8",
            "batch_size": 1,
            "fps": 40.0,
            "latency_median_ms": 25.0,
            "latency_p99_ms": 30.0,
            "gated": True,
            "verdict": "pass",
            "device": 0,
            "speedup": 1.96, "speedup_attempts": [1.41, 1.96],
            "speedup_over": "onnxruntime",
            "reference_fps": 20.4,
            "gate": ">= 1.5 x onnxruntime fp32",
        }
    )
    recorder.meta.weights_md5, recorder.meta.dataset = "abc", "test"
    return recorder


def test_worker_results_merge_into_the_same_document():
    single = _recorder()
    merged = ResultsRecorder()
    merged.merge_wire(single.to_wire())
    merged.merge_wire(single.to_wire())  # a second worker reporting the same rows changes nothing
    assert merged.document()["images"] == single.document()["images"]
    assert len(merged.document()["verdicts"]) == len(single.document()["verdicts"])


def test_report_has_tables_pictures_plot_and_html(tmp_path):
    document = _recorder().document()
    document["environment"] = report.environment(
        ["pytest", "-m", "accuracy"], [], {"path": "w", "md5": "abc", "sha256": "d"}
    )
    report.save_run(tmp_path, document)
    rgb = np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    for name in ("woman", "bird"):
        report.save_side_by_side(tmp_path, name, rgb, rgb, rgb)
    md_path, html_path = report.write_report(tmp_path)
    text = md_path.read_text()
    guide_table = text.split("### Guide metric")[1].split("###")[0]
    assert guide_table.count("| woman |") == 1 and "| **mean** |" in guide_table
    assert "![woman" in text and (tmp_path / report.PLOT).exists()
    assert "| cpu | onnxruntime | fp32 | 0 | 1 | 20.00 |" in text
    assert "| 0.998 (95%: 0.971-1.024) |" in text
    int8_row = next(line for line in text.splitlines() if "| onnxruntime-int8 |" in line)
    assert ("| 1.96 x onnxruntime (20.40 images/s); readings 1.41, 1.96 | n/a | n/a | >= 1.5 x onnxruntime fp32 |"
            " pass |" in int8_row)
    assert ("| ready 2.41 s = artifacts 1.90 s (from cache) + session 0.48 s + first call 31.2 ms |"
            in next(line for line in text.splitlines() if "| onnxruntime | fp32 |" in line))
    page = html_path.read_text()
    assert page.count("data:image/png;base64,") == 3 and "<table>" in page


def test_only_the_parts_a_run_has(tmp_path):
    document = _recorder().document()
    document["perf"] = []
    report.save_run(tmp_path, document)
    md_path, _ = report.write_report(tmp_path)
    assert "## Throughput" not in md_path.read_text()
    assert report.write_report(tmp_path / "empty") is None


def test_per_card_adds_devices_and_applies_threshold():
    targets = load_targets(TARGETS_FILE)
    rows = [{"target": "ascend310", "batch_size": 1, "device": d, "fps": 300.0, "card_deferred": True}
            for d in range(4)]
    (card,) = per_card_rows(rows, targets)
    assert card["fps_per_card"] == 1200.0 and card["verdict"] == "pass" and card["devices"] == [0, 1, 2, 3]
    assert card["decided_by"] == "controller" and card["threshold"] == pytest.approx(1163.108)
    (single,) = per_card_rows([{**rows[0], "card_deferred": False}], targets)
    assert single["fps_per_card"] == 1200.0 and "x 4" in single["how"] and single["decided_by"] == "test"
    assert json.dumps(card)
    slow = [{**row, "fps": 250.0} for row in rows]
    assert per_card_rows(slow, targets)[0]["verdict"] == "fail"
    assert per_card_rows([{**rows[0], "target": "cpu"}], targets) == []  # one chip per card: nothing to add


def test_the_full_size_table_leads_with_the_backend_its_fp32_figures_come_from():
    from srcnn_support.report.blocks import full_size_blocks

    row = {"psnr": 36.4, "ssim": 0.954, "bicubic_psnr": 33.7, "bicubic_ssim": 0.93, "images": 5}
    part = {"dataset": "Set5", "backends": {"onnxruntime-int8": {**row, "fp32_reference": "openvino"},
                                            "openvino": {**row, "fp32_reference": "openvino"}}}
    table = full_size_blocks([part])[1]
    assert table.header[4] == "openvino PSNR / SSIM (fp32 figures)" and table.header[5].startswith("onnxruntime-int8")


def test_the_peer_table_names_the_fastest_exact_and_reduced_runtime():
    from srcnn_support.report.perf_blocks import _fastest_line

    fastest = {"exact": {"backend": "openvino", "images_per_s": 47.1, "vs_reference": 1.11},
               "reduced": {"backend": "openvino-bf16", "images_per_s": 300.7, "vs_reference": 7.08},
               "full_size_backend": "openvino", "full_size_backend_share_of_fastest": 1.0, "agrees": True}
    line = _fastest_line(fastest)
    assert "fastest exact: openvino (47.10 images/s, 1.11 x" in line and "fastest reduced: openvino-bf16" in line
    assert "full-size protocol's fp32 figures come from openvino" in line
    slower = _fastest_line({**fastest, "full_size_backend": "onnxruntime", "agrees": False,
                            "full_size_backend_share_of_fastest": 0.8})
    assert "ran on onnxruntime, which measured only 80% of the fastest exact runtime" in slower
    assert _fastest_line(None) == ""


def test_a_runtime_above_its_peak_probe_shows_no_share_over_100_percent():
    from srcnn_support.report.perf_blocks import _peak_cell

    assert _peak_cell({"peak_share": 0.871}) == "87.1"
    assert _peak_cell({"peak_share": None, "peak_share_void": "531 GFLOP/s is above the probe's 318"}) == \
        "above the probe (no share)"
    assert _peak_cell({"peak_share": None}) == "n/a"


def test_a_peer_table_run_alone_draws_no_empty_throughput_table():
    from srcnn_support.report.perf_blocks import perf_blocks
    from srcnn_support.report.render import Table

    peers = [{"backend": "onnxruntime", "precision": "fp32", "batch_size": 1, "images_per_s": 14.3, "reference":
              "onnxruntime", "vs_reference": 1.0, "gflops": 107.2, "peak_share": 0.8, "latency_median_ms": 69.9,
              "calls": 42, "latency_cv": 0.05}]
    tables = [b for b in perf_blocks({"perf": [], "meta": {"runtime_peers": peers}}, None) if isinstance(b, Table)]
    assert [t.header[0] for t in tables] == ["runtime"]
