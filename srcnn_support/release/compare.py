"""This run against the last accepted release: each comparison a ``CheckRecord``, counted in the RELEASE line.

Quality is held to the ground truth: a release may not lose more than ``STANDARD_PSNR_DROP_DB`` of standard PSNR
or ``SSIM_DROP`` of SSIM on any image and backend. The guide PSNR (closeness to the bicubic input) may not
move more than ``GUIDE_PSNR_MOVE_DB`` either way. The figures and their provenance:
docs/decisions/0008-release-to-release.md.
Throughput may not fall more than ``THROUGHPUT_DROP`` below the accepted median on the same machine; on another
machine only a ratio measured within one session (int8 speed-up, harness over bare runtime) is compared.
"""
from __future__ import annotations

from srcnn_support.gate.verdicts import CheckRecord
from srcnn_support.release.fingerprint import differences, version_differences
from srcnn_support.release.store import AcceptedRelease, perf_key

STANDARD_PSNR_DROP_DB = 0.05
SSIM_DROP = 0.001
GUIDE_PSNR_MOVE_DB = 0.05
THROUGHPUT_DROP = 0.10
DIGEST_BACKENDS = ("pytorch", "onnxruntime")  # fp32 on the CPU: the same inputs give the same bits
INT8_PRECISIONS = ("int8",)
RATIO_FIELDS = ("speedup", "harness_over_bare")  # measured within one session: comparable across machines

# (check, field, what it is called, unit, allowed drop, either way)
QUALITY_RULES = (
    ("standard_psnr_vs_accepted", "standard_psnr", "standard PSNR", "dB", STANDARD_PSNR_DROP_DB, False),
    ("standard_ssim_vs_accepted", "standard_ssim", "SSIM", "", SSIM_DROP, False),
    ("guide_psnr_vs_accepted", "guide_psnr_guide_layout", "guide PSNR", "dB", GUIDE_PSNR_MOVE_DB, True),
)


def quality_vs_accepted(row: dict, accepted: AcceptedRelease, machine: dict | None) -> list[CheckRecord]:
    """One image and backend of this run (a results ``images`` row) against the same in the accepted release."""
    backend, image = row["backend"], row["image"]
    before = accepted.image_rows().get((backend, image))
    if before is None:
        return [CheckRecord(backend, image, "quality_vs_accepted", None,
                            reason=f"{backend}/{image} is not in release {accepted.sequence}")]
    if row.get("precision") in INT8_PRECISIONS:
        changed = [d for d in differences(accepted.record.get("machine"), machine) if d.startswith("cpu_int8_class")]
        if changed:  # int8 kernels differ by CPU class (VNNI, AVX2): a figure from another class is no baseline
            return [CheckRecord(backend, image, "quality_vs_accepted", None,
                                reason=f"int8 kernels differ from release {accepted.sequence}: {changed[0]}; "
                                       "recorded only")]
    return [_quality(rule, row, before, accepted) for rule in QUALITY_RULES
            if row.get(rule[1]) is not None and before.get(rule[1]) is not None]


def _quality(rule_of_check, row, before, accepted) -> CheckRecord:
    check, field, called, unit, allowed, either_way = rule_of_check
    now, then = float(row[field]), float(before[field])
    change = now - then
    passed = abs(change) <= allowed if either_way else change >= -allowed
    places = 4 if unit == "dB" else 5
    suffix = f" {unit}" if unit else ""
    allowance = f"{allowed:g}{suffix} {'either way' if either_way else 'of drop'}"
    rule = (f"within {allowed:g}{suffix} of release {accepted.sequence}, either way" if either_way
            else f"at most {allowed:g}{suffix} below release {accepted.sequence}")
    message = (f"{row['image']}/{row['backend']}: {called} {now:.{places}f}{suffix}, release {accepted.sequence} had "
               f"{then:.{places}f}{suffix}: {change:+.{places}f}{suffix} (allowed: {allowance})")
    return CheckRecord(row["backend"], row["image"], check, passed, now, then, rule, None if passed else message,
                       "" if passed else message)


def outputs_vs_accepted(row: dict, accepted: AcceptedRelease, machine: dict | None,
                        weights_sha256: str | None) -> CheckRecord | None:
    """Same weights, same fp32 CPU backend, same versions and machine: the outputs must be the same bits; where one
    of those changed, the difference is explained in one line instead of decided."""
    backend, image = row["backend"], row["image"]
    before = accepted.image_rows().get((backend, image))
    if backend not in DIGEST_BACKENDS or not before or not row.get("output_sha256") or not before.get("output_sha256"):
        return None
    check = "outputs_vs_accepted"
    if before["output_sha256"] == row["output_sha256"]:
        return CheckRecord(backend, image, check, True,
                           tolerance=f"the same output bits as release {accepted.sequence}")
    accepted_weights = (accepted.record.get("artifacts") or {}).get("weights_sha256")
    why = ([f"weights changed ({(accepted_weights or 'unknown')[:12]} -> {(weights_sha256 or 'unknown')[:12]})"]
           if accepted_weights != weights_sha256 else [])
    why += version_differences(before.get("versions"), row.get("versions"))
    why += differences(accepted.record.get("machine"), machine)
    if why:
        return CheckRecord(backend, image, check, None,
                           reason=f"outputs differ from release {accepted.sequence}, explained: " + "; ".join(why))
    message = (f"{image}/{backend}: output bits differ from release {accepted.sequence} with the same weights, "
               "versions and machine: a change in preprocessing, the model file or the runtime's determinism")
    return CheckRecord(backend, image, check, False, tolerance="identical outputs", reason=message,
                       explanation=message)


def throughput_vs_accepted(row: dict, accepted: AcceptedRelease) -> CheckRecord:
    """A perf row against the accepted row of the same target, backend, precision, batch and device."""
    subject = f"{row.get('target')}/{row.get('backend')}"
    record = dict(backend=subject, image=None, check="throughput_vs_accepted", batch_size=row.get("batch_size"),
                  target=row.get("target"))
    before = accepted.perf_rows().get(perf_key(row))
    if before is None:
        return CheckRecord(**record, passed=None,
                           reason=f"{subject}/bs{row.get('batch_size')} is not in release {accepted.sequence}")
    versions = version_differences(before.get("versions"), row.get("versions"))
    if versions:
        return CheckRecord(**record, passed=None,
                           reason=f"not comparable with release {accepted.sequence}: " + "; ".join(versions))
    machine = differences(before.get("machine"), row.get("machine"))
    if machine:
        return _ratio_vs_accepted(row, before, accepted.sequence, machine, record)
    field = "fps_median" if row.get("fps_median") and before.get("fps_median") else "fps"
    now, then = float(row[field]), float(before[field])
    floor = then * (1 - THROUGHPUT_DROP)
    rule = f">= {1 - THROUGHPUT_DROP:.0%} of release {accepted.sequence}'s {then:.3f} images/s ({field})"
    passed = now >= floor
    message = (f"{subject}/bs{row.get('batch_size')}: {now:.3f} images/s is {now / then - 1:+.1%} from "
               f"release {accepted.sequence}'s {then:.3f} ({field}); the floor is {floor:.3f}")
    return CheckRecord(**record, passed=passed, measured=now, reference=then, tolerance=rule,
                       reason=None if passed else message, explanation="" if passed else message)


def _ratio_vs_accepted(row: dict, before: dict, sequence: int, machine: list[str], record: dict) -> CheckRecord:
    """Another machine: images/s are not comparable, a ratio measured in one session on each machine may be. An
    int8 speed-up is a property of the CPU's int8 instructions, so it is compared only within one int8 class."""
    elsewhere = f"measured on another machine than release {sequence} ({'; '.join(machine)}): compared on ratios only"
    same_class = not any(change.startswith("cpu_int8_class ") for change in machine)
    field = next((name for name in RATIO_FIELDS if row.get(name) is not None and before.get(name) is not None
                  and (same_class or name != "speedup")), None)
    if field is None:
        return CheckRecord(**record, passed=None, reason=f"{elsewhere}, and this row has none comparable "
                                                         "(images/s is absolute)")
    now, then = float(row[field]), float(before[field])
    floor = then * (1 - THROUGHPUT_DROP)
    passed = now >= floor
    message = (f"{record['backend']}/bs{row.get('batch_size')}: {field} {now:.3f} is {now / then - 1:+.1%} from "
               f"release {sequence}'s {then:.3f}; the floor is {floor:.3f} ({elsewhere})")
    return CheckRecord(**record, passed=passed, measured=now, reference=then,
                       tolerance=f"{field} >= {1 - THROUGHPUT_DROP:.0%} of release {sequence}'s ({elsewhere})",
                       reason=None if passed else message, explanation="" if passed else message)
