"""A recorded device run, the dump directory the guide's ``benchmark`` tool wrote
(``--dump-dir result/dumpOutput_device0``), gated against the live reference with the same rule list
as a backend's accuracy tests. A failure carries the diagnosis of the porting mistake behind it; the
report's pictures show this run's outputs."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from srcnn_support.diagnose.explain import read_recorded_dump
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.accuracy_rules import RULES, RuleInputs
from srcnn_support.gate.config import PUBLISHED_TABLE
from srcnn_support.gate.recorded_link import perf_log_and_dump_dir_check
from srcnn_support.prepare.imaging import CROP_SIZE, compose_sr_rgb
from srcnn_support.report.pictures import RECORDED_PICTURES, save_side_by_side
from srcnn_support.score.accuracy import PublishedTable, reference_columns
from srcnn_support.score.evaluate import ImageScore, score_image

pytestmark = pytest.mark.accuracy
DEVICE_RUN = "recorded-run"  # the subject of a device run's recorded outputs


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
                    f"{failure_diagnoses.message(DEVICE_RUN, dumps, dtype=dtype)}", pytrace=False)
    run = RecordedRun(Path(dump_dir), dumps, dtype, {})
    for image in prepared:
        output = np.ascontiguousarray(dumps[image.name].T)  # the guide's post-processing transposes back
        score = score_image(image, output, output)
        run.scores[image.name] = score
        row = {**score.as_dict(), "guide_psnr_natural": None, "guide_psnr_natural_clamped": None,
               "precision": f"recorded ({dtype})", "dump_dir": str(dump_dir)}
        recorder.add_measurement(DEVICE_RUN, image.name, row)
        if score.finite:
            save_side_by_side(gate.report_dir, image.name, image.bicubic, compose_sr_rgb(output, image.bicubic),
                              image.ground_truth, folder=RECORDED_PICTURES)
    return run


@pytest.fixture(scope="session")
def live_reference(accuracy, recorder, recorded_run):
    for name, score in accuracy.reference.scores.items():
        recorder.add_measurement(DEVICE_RUN, name, reference_columns(score))
    return accuracy.reference.scores


def apply_rule(recorder, run: RecordedRun, live_reference, diagnoses, check: str, image: str | None = None,
               published=None) -> None:
    """One rule of the composed list (``ACCURACY_RULES``), as the live backends are judged."""
    for name in ([image] if image else run.scores):
        if not run.scores[name].finite:
            pytest.fail(f"{run.dump_dir}: output for '{name}' contains NaN or Inf", pytrace=False)
    inputs = RuleInputs(DEVICE_RUN, run.scores, live_reference, published,
                        lambda which: diagnoses.message(DEVICE_RUN, run.dumps, which))
    verdict = RULES[check].decide(inputs, image)
    if verdict is None:
        pytest.skip(f"{check} does not apply to {image or 'this dataset'}")
    recorder.record(verdict)
    assert verdict, verdict.explanation


def test_recorded_guide_psnr_within_1pct_of_live_reference(recorded_run, live_reference, recorder,
                                                           failure_diagnoses, image_name):
    apply_rule(recorder, recorded_run, live_reference, failure_diagnoses, "guide_psnr_vs_live_reference", image_name)


def test_recorded_mean_guide_psnr_within_1pct_of_live_reference(recorded_run, live_reference, recorder,
                                                                failure_diagnoses):
    apply_rule(recorder, recorded_run, live_reference, failure_diagnoses, "mean_guide_psnr_vs_live_reference")


def test_recorded_guide_psnr_within_1pct_of_published(recorded_run, live_reference, recorder, failure_diagnoses,
                                                      weights_identity, image_name):
    table = PublishedTable.load(PUBLISHED_TABLE)
    if weights_identity.md5 != table.weights_md5:
        pytest.skip(f"published table holds for the official weights only (md5 {table.weights_md5}); "
                    f"these weights have md5 {weights_identity.md5}")
    apply_rule(recorder, recorded_run, live_reference, failure_diagnoses, "guide_psnr_vs_published", image_name,
               table.reference_script)


def test_recorded_standard_psnr_beats_bicubic(recorded_run, live_reference, recorder, failure_diagnoses, image_name):
    apply_rule(recorder, recorded_run, live_reference, failure_diagnoses, "standard_psnr_beats_bicubic", image_name)


def test_recorded_mean_standard_gain_over_bicubic(recorded_run, live_reference, recorder, failure_diagnoses):
    apply_rule(recorder, recorded_run, live_reference, failure_diagnoses, "mean_standard_gain_over_bicubic")


def test_recorded_perf_log_and_dump_dir_name_one_model(recorded_run, gate, recorder):
    """--perf-log and --dump-dir together: the figures and the outputs must come from one model file."""
    if not gate.perf_logs:
        pytest.skip("no --perf-log beside --dump-dir: no figures to link to these outputs")
    record = recorder.record(perf_log_and_dump_dir_check(DEVICE_RUN, list(gate.perf_logs), recorded_run.dump_dir))
    if record.passed is None:
        pytest.skip(record.reason)
    assert record, record.explanation
