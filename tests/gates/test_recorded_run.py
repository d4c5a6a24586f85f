"""Issue 13 (accuracy half): a recorded device run, the dump directory the guide's ``benchmark`` tool
wrote (``--dump-dir result/dumpOutput_device0``), gated against the live reference with the same
verdicts as a backend's accuracy tests. A failure carries the diagnosis of issue 14."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from srcnn_support.diagnose.explain import read_recorded_dump
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.accuracy_rules import beats_bicubic_check, mean_gain_over_bicubic_check
from srcnn_support.gate.config import PUBLISHED_TABLE
from srcnn_support.gate.verdicts import relative_check
from srcnn_support.prepare.imaging import CROP_SIZE
from srcnn_support.score.accuracy import RELATIVE_TOLERANCE, PublishedTable
from srcnn_support.score.evaluate import ImageScore, mean, score_image

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


def apply(recorder, verdict) -> None:
    recorder.record(verdict)
    assert verdict, verdict.explanation


def require_finite(run: RecordedRun, image: str) -> None:
    if not run.scores[image].finite:
        pytest.fail(f"{run.dump_dir}: output for '{image}' contains NaN or Inf", pytrace=False)


def test_recorded_guide_psnr_within_1pct_of_live_reference(recorded_run, live_reference, recorder,
                                                           failure_diagnoses, image_name):
    require_finite(recorded_run, image_name)
    apply(recorder, relative_check(RECORDED, image_name, "guide_psnr_vs_live_reference",
                                   recorded_run.scores[image_name].guide_psnr_guide_layout,
                                   live_reference[image_name].guide_psnr_natural_clamped, RELATIVE_TOLERANCE,
                                   lambda: failure_diagnoses.message(RECORDED, recorded_run.dumps, image_name)))


def test_recorded_mean_guide_psnr_within_1pct_of_live_reference(recorded_run, live_reference, recorder,
                                                                failure_diagnoses):
    for name in recorded_run.scores:
        require_finite(recorded_run, name)
    measured = mean(s.guide_psnr_guide_layout for s in recorded_run.scores.values())
    reference = mean(s.guide_psnr_natural_clamped for s in live_reference.values())
    apply(recorder, relative_check(RECORDED, None, "mean_guide_psnr_vs_live_reference", measured, reference,
                                   RELATIVE_TOLERANCE, lambda: failure_diagnoses.message(RECORDED, recorded_run.dumps)))


def test_recorded_guide_psnr_within_1pct_of_published(recorded_run, recorder, failure_diagnoses, weights_identity,
                                                      image_name):
    table = PublishedTable.load(PUBLISHED_TABLE)
    if weights_identity.md5 != table.weights_md5:
        pytest.skip(f"published table holds for the official weights only (md5 {table.weights_md5}); "
                    f"these weights have md5 {weights_identity.md5}")
    if image_name not in table.reference_script:
        pytest.skip(f"'{image_name}' is not in the published table ({', '.join(table.reference_script)})")
    require_finite(recorded_run, image_name)
    apply(recorder, relative_check(RECORDED, image_name, "guide_psnr_vs_published",
                                   recorded_run.scores[image_name].guide_psnr_guide_layout,
                                   table.reference_script[image_name], RELATIVE_TOLERANCE,
                                   lambda: failure_diagnoses.message(RECORDED, recorded_run.dumps, image_name)))


def test_recorded_standard_psnr_beats_bicubic(recorded_run, recorder, failure_diagnoses, image_name):
    require_finite(recorded_run, image_name)
    score = recorded_run.scores[image_name]
    apply(recorder, beats_bicubic_check(RECORDED, image_name, score.standard_psnr, score.bicubic_psnr,
                                        lambda: failure_diagnoses.message(RECORDED, recorded_run.dumps, image_name)))


def test_recorded_mean_standard_gain_over_bicubic(recorded_run, recorder, failure_diagnoses):
    for name in recorded_run.scores:
        require_finite(recorded_run, name)
    scores = recorded_run.scores.values()
    apply(recorder, mean_gain_over_bicubic_check(RECORDED, [s.standard_psnr for s in scores],
                                                 [s.bicubic_psnr for s in scores],
                                                 lambda: failure_diagnoses.message(RECORDED, recorded_run.dumps)))
