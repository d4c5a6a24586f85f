"""Throughput rules as library verdicts: each gate kind, the one per-card rule, and a batch size's decision."""
import math
from dataclasses import replace

import pytest

from srcnn_support.gate.config import TARGETS_FILE
from srcnn_support.gate.perf_rules import (
    decide,
    per_card,
    speedup_check,
    throughput_checks,
)
from srcnn_support.gate.targets import Gate, SpeedupThreshold, load_targets

TARGETS = load_targets(TARGETS_FILE)


def test_one_chip_is_scaled_and_a_full_card_summed():
    card, how = per_card([348.038], 4)
    assert card == pytest.approx(1392.152) and "x 4" in how
    assert per_card([300.0, 301.0, 302.0, 303.0, 999.0], 4) == (1206.0, "sum of 4 measured chips")
    assert math.isnan(per_card([], 4)[0])


def test_per_card_is_strict_and_carries_what_was_measured():
    ascend = TARGETS["ascend310"]
    (at_bar,) = throughput_checks(ascend, "ascend310/ascend-om", 1, 1163.108 / 4)
    assert not at_bar and at_bar.check == "min_fps_per_card" and at_bar.batch_size == 1
    assert at_bar.measured == pytest.approx(1163.108) and at_bar.reference == pytest.approx(1163.108)
    assert "does not beat 1163.108 fps" in at_bar.explanation and "x 4" in at_bar.reason
    (above,) = throughput_checks(ascend, "ascend310/ascend-om", 1, 300.0)
    assert above and above.to_row()["verdict"] == "pass" and above.to_row()["batch_size"] == 1
    (bs16,) = throughput_checks(ascend, "ascend310/ascend-om", 16, 1.0)  # no T4 figure given: recorded, saying why
    assert bs16.passed is None and "no trtexec log at batch 16" in bs16.reason


def test_a_card_measured_chip_by_chip_is_left_to_the_controller():
    (deferred,) = throughput_checks(TARGETS["ascend310"], "ascend310/ascend-om/dev0", 1, 1.0,
                                    card_deferred_to=(0, 1, 2, 3))
    assert deferred.passed is None and "end of run" in deferred.tolerance and "0,1,2,3" in deferred.reason
    decision = decide([deferred])
    assert decision and decision.verdict == "recorded" and not decision.decided


def test_min_fps_applies_the_tolerance_and_fails_on_nan():
    t4 = TARGETS["t4"]
    (gate,) = t4.gates_for(1)
    (check,) = throughput_checks(t4, "t4/tensorrt", 1, gate.threshold(), figure="trtexec")
    assert check and check.tolerance == f"trtexec >= {gate.threshold():.3f} fps"
    (slow,) = throughput_checks(t4, "t4/tensorrt", 1, gate.threshold() - 0.001)
    assert not slow and gate.provenance in slow.explanation
    assert not throughput_checks(t4, "t4/tensorrt", 1, math.nan)[0]


def test_bare_runtime_fails_only_when_the_whole_interval_is_below():
    cpu = TARGETS["cpu"]
    (gate,) = cpu.gates_for(1)
    (noisy,) = throughput_checks(cpu, "cpu/onnxruntime", 1, 50.0, bare_ratio=(0.93, (0.90, gate.min_ratio)))
    assert noisy and noisy.measured == 0.93
    (slow,) = throughput_checks(cpu, "cpu/onnxruntime", 1, 50.0, bare_ratio=(0.80, (0.70, gate.min_ratio - 0.01)))
    assert not slow and "wholly below" in slow.explanation
    (unmeasured,) = throughput_checks(cpu, "cpu/onnxruntime", 1, 50.0)
    assert not unmeasured and "cannot be applied" in unmeasured.explanation


def test_speedup_by_cpu_class():
    threshold = SpeedupThreshold(1.5, "sixteen runs")
    assert speedup_check("cpu/onnxruntime-int8", 1, 1.8, threshold, "vnni", "onnxruntime fp32")
    slow = speedup_check("cpu/onnxruntime-int8", 1, 1.2, threshold, "vnni", "onnxruntime fp32")
    assert not slow and "1.20 x the onnxruntime fp32 throughput < 1.5 on a vnni CPU (sixteen runs)" in slow.explanation
    baseline = speedup_check("cpu/onnxruntime-int8", 1, 0.9, None, "baseline", "onnxruntime fp32")
    assert baseline.passed is None and decide([baseline]).verdict == "recorded"


def test_decision_row_fields():
    gate = Gate("min_fps", (1,), "provenance", min_fps=100.0)
    target = replace(TARGETS["t4"], gates=(gate, gate))
    decision = decide(throughput_checks(target, "x/y", 1, 50.0))
    fields = decision.row_fields()
    assert fields["verdict"] == "fail" and fields["gate"] == ">= 100.000 fps; >= 100.000 fps"
    assert [c["verdict"] for c in fields["checks"]] == ["fail", "fail"] and decision.message().count("x/y/bs1") == 2
    assert decide([]).row_fields() == {"gate": None, "verdict": "recorded", "checks": []}
