"""Issue 13 (accuracy half): a recorded device run, the dump directory the guide's ``benchmark`` tool
wrote (``--dump-dir result/dumpOutput_device0``), gated against the live reference with the same
verdicts as a backend's accuracy tests. A failure carries the diagnosis of issue 14."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from srcnn_support.diagnose.explain import read_recorded_dump
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import PUBLISHED_TABLE
from srcnn_support.prepare.imaging import CROP_SIZE
from srcnn_support.score.accuracy import MIN_MEAN_GAIN_OVER_BICUBIC_DB, RELATIVE_TOLERANCE, PublishedTable
from srcnn_support.score.evaluate import ImageScore, mean, relative_deviation, score_image

pytestmark = pytest.mark.accuracy
RECORDED = "recorded-run"


@dataclass
class RecordedRun:
    dump_dir: Path
    dumps: dict[str, np.ndarray]  # file order, as the tool wrote them
    dtype: str
    scores: dict[str, ImageScore]


@pytest.fixture(scope="session")
def recorded_run(pytestconfig, gate, prepared, recorder, failure_diagnoses) -> RecordedRun:
    dump_dir = pytestconfig.getoption("dump_dir")
    if not dump_dir:
        pytest.skip("no recorded run to gate: pass --dump-dir DIR (the benchmark tool's result/dumpOutput_device0)")
    try:
        dumps, dtype = read_recorded_dump(Path(dump_dir), gate.dataset.names, CROP_SIZE)
    except SrcnnGateError as exc:
        pytest.fail(str(exc), pytrace=False)
    if dtype != "float32":
        pytest.fail(f"{dump_dir}: outputs are {dtype}, the guide's are float32\n"
                    f"{failure_diagnoses.message(RECORDED, dumps, dtype=dtype)}", pytrace=False)
    run = RecordedRun(Path(dump_dir), dumps, dtype, {})
    for image in prepared:
        output = np.ascontiguousarray(dumps[image.name].T)  # the guide's post-processing transposes back
        score = score_image(image, output, output)
        run.scores[image.name] = score
        row = {**score.as_dict(), "guide_psnr_natural": None, "guide_psnr_natural_clamped": None,
               "precision": f"recorded ({dtype})", "dump_dir": str(dump_dir)}
        recorder.add_measurement(RECORDED, image.name, row)
    return run


@pytest.fixture(scope="session")
def live_reference(accuracy, recorder, recorded_run):
    for name, score in accuracy.reference.scores.items():
        recorder.add_measurement(RECORDED, name, {"reference_guide_psnr": score.guide_psnr_natural_clamped})
    return accuracy.reference.scores


def check_relative(recorder, explain, image, check, measured, reference):
    deviation = relative_deviation(measured, reference)
    passed = deviation <= RELATIVE_TOLERANCE
    reason = None if passed else explain()
    recorder.add_verdict(RECORDED, image, check, passed, measured, reference, f"{RELATIVE_TOLERANCE:.0%} relative",
                         reason=reason)
    assert passed, (f"{image or 'mean'}/{RECORDED}: {check}: measured {measured:.4f} dB vs reference "
                    f"{reference:.4f} dB, deviation {deviation:.3%} > tolerance {RELATIVE_TOLERANCE:.0%}\n{reason}")


def require_finite(run: RecordedRun, image: str) -> None:
    if not run.scores[image].finite:
        pytest.fail(f"{run.dump_dir}: output for '{image}' contains NaN or Inf", pytrace=False)


def test_recorded_guide_psnr_within_1pct_of_live_reference(recorded_run, live_reference, recorder,
                                                           failure_diagnoses, image_name):
    require_finite(recorded_run, image_name)
    check_relative(recorder, lambda: failure_diagnoses.message(RECORDED, recorded_run.dumps, image_name),
                   image_name, "guide_psnr_vs_live_reference", recorded_run.scores[image_name].guide_psnr_guide_layout,
                   live_reference[image_name].guide_psnr_natural_clamped)


def test_recorded_mean_guide_psnr_within_1pct_of_live_reference(recorded_run, live_reference, recorder,
                                                                failure_diagnoses):
    for name in recorded_run.scores:
        require_finite(recorded_run, name)
    measured = mean(s.guide_psnr_guide_layout for s in recorded_run.scores.values())
    reference = mean(s.guide_psnr_natural_clamped for s in live_reference.values())
    check_relative(recorder, lambda: failure_diagnoses.message(RECORDED, recorded_run.dumps), None,
                   "mean_guide_psnr_vs_live_reference", measured, reference)


def test_recorded_guide_psnr_within_1pct_of_published(recorded_run, recorder, failure_diagnoses, weights_identity,
                                                      image_name):
    table = PublishedTable.load(PUBLISHED_TABLE)
    if weights_identity.md5 != table.weights_md5:
        pytest.skip(f"published table holds for the official weights only (md5 {table.weights_md5}); "
                    f"these weights have md5 {weights_identity.md5}")
    if image_name not in table.om:
        pytest.skip(f"'{image_name}' is not in the published table ({', '.join(table.om)})")
    require_finite(recorded_run, image_name)
    check_relative(recorder, lambda: failure_diagnoses.message(RECORDED, recorded_run.dumps, image_name),
                   image_name, "guide_psnr_vs_published", recorded_run.scores[image_name].guide_psnr_guide_layout,
                   table.reference_script[image_name])


def test_recorded_standard_psnr_beats_bicubic(recorded_run, recorder, failure_diagnoses, image_name):
    require_finite(recorded_run, image_name)
    score = recorded_run.scores[image_name]
    passed = score.standard_psnr > score.bicubic_psnr
    reason = None if passed else failure_diagnoses.message(RECORDED, recorded_run.dumps, image_name)
    recorder.add_verdict(RECORDED, image_name, "standard_psnr_beats_bicubic", passed, score.standard_psnr,
                         score.bicubic_psnr, "> bicubic", reason=reason)
    assert passed, (f"{image_name}/{RECORDED}: standard PSNR {score.standard_psnr:.3f} dB does not beat "
                    f"bicubic {score.bicubic_psnr:.3f} dB\n{reason}")


def test_recorded_mean_standard_gain_over_bicubic(recorded_run, recorder, failure_diagnoses):
    for name in recorded_run.scores:
        require_finite(recorded_run, name)
    scores = recorded_run.scores.values()
    gain = mean(s.standard_psnr for s in scores) - mean(s.bicubic_psnr for s in scores)
    passed = math.isfinite(gain) and gain >= MIN_MEAN_GAIN_OVER_BICUBIC_DB
    reason = None if passed else failure_diagnoses.message(RECORDED, recorded_run.dumps)
    recorder.add_verdict(RECORDED, None, "mean_standard_gain_over_bicubic", passed, gain,
                         MIN_MEAN_GAIN_OVER_BICUBIC_DB, f">= {MIN_MEAN_GAIN_OVER_BICUBIC_DB} dB", reason=reason)
    assert passed, (f"mean/{RECORDED}: standard PSNR gain over bicubic {gain:.3f} dB < "
                    f"{MIN_MEAN_GAIN_OVER_BICUBIC_DB} dB\n{reason}")
