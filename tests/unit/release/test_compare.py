"""Each release-to-release comparison on made-up rows: what passes, what fails, what is only explained."""
from pathlib import Path

from srcnn_support.release.compare import outputs_vs_accepted, quality_vs_accepted, throughput_vs_accepted
from srcnn_support.release.store import AcceptedRelease

MACHINE = {"cpu": "Intel(R) Xeon(R) Processor", "cpu_int8_class": "vnni", "cores": 2, "gpu": "none", "npu": "none"}
ROW = {"backend": "onnxruntime", "image": "baby", "precision": "fp32", "versions": {"onnxruntime": "1.32.0"},
       "standard_psnr": 36.3293, "standard_ssim": 0.95000, "guide_psnr_guide_layout": 36.5, "output_sha256": "a" * 64}
PERF = {"target": "ascend310", "backend": "ascend-om", "precision": "fp16", "batch_size": 1, "device": 0,
        "fps": 348.038, "versions": {"om_sha256": "e" * 64}, "machine": {**MACHINE, "npu": "4 x 310", "cann": "7.0"}}


def accepted(images=(ROW,), perf=(PERF,), machine=MACHINE) -> AcceptedRelease:
    record = {"sequence": 3, "accepted_at": "2026-12-01 10:00:00 UTC", "machine": machine, "images": list(images),
              "perf": list(perf), "artifacts": {"weights_sha256": "w" * 64}}
    return AcceptedRelease(Path("0003-x.json"), record)


def by_check(records):
    return {r.check: r for r in records}


def test_the_same_figures_pass_with_zero_change():
    records = by_check(quality_vs_accepted(dict(ROW), accepted(), MACHINE))
    assert set(records) == {"standard_psnr_vs_accepted", "standard_ssim_vs_accepted", "guide_psnr_vs_accepted"}
    assert all(r.passed and r.measured == r.reference for r in records.values())


def test_a_drop_beyond_the_tolerance_fails_naming_image_backend_before_and_after():
    worse = {**ROW, "standard_psnr": ROW["standard_psnr"] - 0.06, "standard_ssim": 0.9485}
    records = by_check(quality_vs_accepted(worse, accepted(), MACHINE))
    psnr = records["standard_psnr_vs_accepted"]
    assert psnr.passed is False and psnr.explanation == ("baby/onnxruntime: standard PSNR 36.2693 dB, release 3 had "
                                                         "36.3293 dB: -0.0600 dB (allowed: 0.05 dB of drop)")
    assert records["standard_ssim_vs_accepted"].passed is False
    assert by_check(quality_vs_accepted({**ROW, "standard_psnr": 36.4}, accepted(), MACHINE))[
        "standard_psnr_vs_accepted"].passed  # a gain is no regression


def test_the_guide_psnr_may_not_move_either_way():
    for moved in (36.5 + 0.06, 36.5 - 0.06):
        record = by_check(quality_vs_accepted({**ROW, "guide_psnr_guide_layout": moved}, accepted(), MACHINE))
        assert record["guide_psnr_vs_accepted"].passed is False
    assert by_check(quality_vs_accepted({**ROW, "guide_psnr_guide_layout": 36.54}, accepted(), MACHINE))[
        "guide_psnr_vs_accepted"].passed


def test_int8_from_another_cpu_class_is_recorded_not_gated():
    int8 = {**ROW, "backend": "onnxruntime-int8", "precision": "int8", "standard_psnr": 30.0}
    release = accepted(images=({**int8, "standard_psnr": 36.0},))
    (record,) = quality_vs_accepted(int8, release, {**MACHINE, "cpu_int8_class": "avx2"})
    assert record.passed is None and "cpu_int8_class vnni -> avx2" in record.reason
    assert by_check(quality_vs_accepted(int8, release, MACHINE))["standard_psnr_vs_accepted"].passed is False


def test_output_bits_must_match_unless_a_named_change_explains_them():
    same = outputs_vs_accepted(dict(ROW), accepted(), MACHINE, "w" * 64)
    assert same.passed is True
    changed = {**ROW, "output_sha256": "b" * 64}
    assert outputs_vs_accepted(changed, accepted(), MACHINE, "w" * 64).passed is False
    newer = outputs_vs_accepted({**changed, "versions": {"onnxruntime": "1.33.0"}}, accepted(), MACHINE, "w" * 64)
    assert newer.passed is None and newer.reason.endswith("explained: onnxruntime 1.32.0 -> 1.33.0")
    other_cpu = outputs_vs_accepted(changed, accepted(), {**MACHINE, "cpu": "AMD EPYC 7B13"}, "w" * 64)
    assert other_cpu.passed is None and "cpu Intel(R) Xeon(R) Processor -> AMD EPYC 7B13" in other_cpu.reason
    assert outputs_vs_accepted({**changed, "backend": "onnxruntime-fp16"}, accepted(), MACHINE, "w" * 64) is None


def test_throughput_more_than_10_percent_below_the_accepted_median_fails_on_the_same_machine_only():
    assert throughput_vs_accepted({**PERF, "fps": 340.0}, accepted()).passed is True
    slower = throughput_vs_accepted({**PERF, "fps": 300.0}, accepted())
    assert slower.passed is False and slower.reference == 348.038 and "-13.8%" in slower.explanation
    elsewhere = throughput_vs_accepted({**PERF, "fps": 300.0, "machine": {**PERF["machine"], "cann": "8.0"}},
                                       accepted())
    assert elsewhere.passed is None
    assert elsewhere.reason == "measured on another machine than release 3 (cann 7.0 -> 8.0): compared on ratios " \
                               "only, and this row has none comparable (images/s is absolute)"
    newer = throughput_vs_accepted({**PERF, "fps": 300.0, "versions": {"ais_bench": "0.0.3"}}, accepted())
    assert newer.passed is None and newer.reason.startswith("not comparable with release 3: ais_bench")
    missing = throughput_vs_accepted({**PERF, "batch_size": 16}, accepted())
    assert missing.passed is None and "ascend310/ascend-om/bs16 is not in release 3" in missing.reason


def test_another_cpu_model_is_compared_on_the_int8_speedup_only_within_its_int8_class():
    cpu_machine = {**MACHINE, "cpu": "Intel(R) Xeon(R) Processor", "cpu_int8_class": "vnni"}
    int8 = {"target": "cpu", "backend": "onnxruntime-int8", "precision": "int8", "batch_size": 1, "device": 0,
            "fps": 88.0, "speedup": 2.1, "versions": {"onnxruntime": "1.32.0"}, "machine": cpu_machine}
    release = accepted(perf=(int8,))
    sapphire = {**cpu_machine, "cpu": "Intel(R) Xeon(R) Platinum 8480+"}
    kept = throughput_vs_accepted({**int8, "fps": 40.0, "speedup": 2.0, "machine": sapphire}, release)
    assert kept.passed is True and kept.measured == 2.0 and kept.reference == 2.1
    assert "compared on ratios only" in kept.tolerance and "cpu Intel(R) Xeon(R) Processor -> " in kept.tolerance
    lost = throughput_vs_accepted({**int8, "fps": 200.0, "speedup": 1.5, "machine": sapphire}, release)
    assert lost.passed is False and "speedup 1.500 is -28.6% from release 3's 2.100" in lost.explanation
    zen3 = {**cpu_machine, "cpu": "AMD EPYC", "cpu_int8_class": "avx2"}
    other_class = throughput_vs_accepted({**int8, "speedup": 1.2, "machine": zen3}, release)
    assert other_class.passed is None and "cpu_int8_class vnni -> avx2" in other_class.reason
    assert other_class.reason.endswith("and this row has none comparable (images/s is absolute)")
