"""Issue 14: a recorded run made with each known mistake, from the real pipeline, is diagnosed with its id."""
import json
import time
from pathlib import Path

import numpy as np
import pytest

from srcnn_support.cli.main import main
from srcnn_support.diagnose import hypotheses as hyp
from srcnn_support.diagnose.explain import (
    MATCH_DB,
    diagnose_dump_dir,
    diagnose_outputs,
    hypotheses_for,
    read_recorded_dump,
)
from srcnn_support.diagnose.recorded_runs import MAKEABLE, other_weights, write_recorded_run
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.config import DEFAULT_WEIGHTS
from srcnn_support.model.network import load_model
from srcnn_support.prepare.datasets import sample_photos
from tests.conftest import DATA_ROOT, SET5

# ppt3 (Set14) is the one image here whose output leaves [0, 1] at more than a few pixels (41 with the
# project's weights); Set5 has none, so clamping is invisible on it.
OVERSHOOTING = DATA_ROOT / "Set14" / "ppt3.png"


def _set5() -> list[Path]:
    if not SET5.is_dir():
        pytest.skip(f"Set5 not found at {SET5} (set SRCNN_DATA_ROOT)")
    return sorted(SET5.glob("*.png"))


@pytest.fixture(scope="module")
def model():
    return load_model(DEFAULT_WEIGHTS)


@pytest.fixture(scope="module")
def set5_hypotheses():
    files = _set5()
    return files, *hypotheses_for(DEFAULT_WEIGHTS, files)


def _diagnose_recorded(tmp_path, model, files, expected, inputs, cause, fp16):
    write_recorded_run(tmp_path, model, files, cause, fp16)
    observed, dtype = read_recorded_dump(tmp_path, [f.stem for f in files])
    return diagnose_outputs(observed, expected, inputs, dtype)


@pytest.mark.parametrize("fp16", [False, True], ids=["fp32", "fp16-om"])
@pytest.mark.parametrize("cause", [c for c in MAKEABLE if c != hyp.OUTPUT_CLAMPED])
def test_each_mistake_is_named_on_set5(tmp_path, model, set5_hypotheses, cause, fp16):
    files, expected, inputs = set5_hypotheses
    diagnosis = _diagnose_recorded(tmp_path, model, files, expected, inputs, cause, fp16)
    assert diagnosis.cause == cause, "\n".join(diagnosis.lines())
    assert [v.cause for v in diagnosis.images] == [cause if cause != hyp.DUMP_DTYPE_FLOAT16 else hyp.OK] * len(files)
    assert diagnosis.overall.best_psnr >= MATCH_DB
    assert diagnosis.lines()[-1] == f"cause: {cause}"


def test_clamping_is_invisible_on_set5_and_said_so(tmp_path, model, set5_hypotheses):
    files, expected, inputs = set5_hypotheses
    diagnosis = _diagnose_recorded(tmp_path, model, files, expected, inputs, hyp.OUTPUT_CLAMPED, False)
    assert diagnosis.cause == hyp.OK
    assert any("output-clamped cannot be told from ok" in note for note in diagnosis.overall.notes)


@pytest.mark.parametrize("fp16", [False, True], ids=["fp32", "fp16-om"])
@pytest.mark.parametrize("cause", [hyp.OUTPUT_CLAMPED, hyp.OK])
def test_clamped_output_is_told_from_ok_where_the_output_overshoots(tmp_path, model, cause, fp16):
    if not OVERSHOOTING.is_file():
        pytest.skip(f"{OVERSHOOTING} not found (set SRCNN_DATA_ROOT)")
    files = [OVERSHOOTING]
    expected, inputs = hypotheses_for(DEFAULT_WEIGHTS, files)
    diagnosis = _diagnose_recorded(tmp_path, model, files, expected, inputs, cause, fp16)
    assert diagnosis.cause == cause, "\n".join(diagnosis.lines())
    assert {diagnosis.overall.best, diagnosis.overall.runner_up} == {hyp.OK, hyp.OUTPUT_CLAMPED}
    assert diagnosis.overall.margin_db > 3.0


def test_other_weights_are_named_weights_differ(tmp_path, model, set5_hypotheses):
    files, expected, inputs = set5_hypotheses
    photos = [p for p in sample_photos().files if p.stem in ("camera", "coffee")]
    diagnosis = _diagnose_recorded(tmp_path, other_weights(model, photos), files, expected, inputs, hyp.OK, True)
    assert diagnosis.cause == hyp.WEIGHTS_DIFFER, "\n".join(diagnosis.lines())
    assert diagnosis.overall.best_psnr < MATCH_DB


def test_noise_is_unknown_and_says_what_was_tried(tmp_path, set5_hypotheses):
    files, expected, inputs = set5_hypotheses
    rng = np.random.default_rng(0)
    for path in files:
        (tmp_path / f"{path.stem}_1.bin").write_bytes(rng.random((256, 256), dtype=np.float32).tobytes())
    diagnosis = diagnose_outputs(*read_recorded_dump(tmp_path, [f.stem for f in files])[:1], expected, inputs)
    assert diagnosis.cause == hyp.UNKNOWN
    assert all(cause in diagnosis.overall.notes[-1] for cause in hyp.RECOMPUTED)


def test_five_set5_images_diagnosed_under_30_seconds(tmp_path, model):
    files = _set5()
    write_recorded_run(tmp_path, model, files, hyp.OPENCV_RESIZE, fp16=True)
    start = time.perf_counter()
    diagnosis = diagnose_dump_dir(tmp_path, files, DEFAULT_WEIGHTS)
    elapsed = time.perf_counter() - start
    assert diagnosis.cause == hyp.OPENCV_RESIZE
    assert elapsed < 30.0, f"diagnosis of {len(files)} images took {elapsed:.1f} s"


def test_cli_prints_each_image_and_ends_with_the_cause(tmp_path, model, capsys):
    files = _set5()
    dump = tmp_path / "dumpOutput_device0"
    write_recorded_run(dump, model, files, hyp.LAYOUT_NOT_TRANSPOSED)
    out_json = tmp_path / "diagnosis.json"
    assert main(["diagnose", "--dump-dir", str(dump), "--dataset-dir", str(SET5), "--json", str(out_json)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "cause: layout-not-transposed"
    assert [line.split(":")[0] for line in lines[:-1]] == [f.stem for f in files] + ["overall"]
    document = json.loads(out_json.read_text())
    assert document["cause"] == "layout-not-transposed"
    assert [row["image"] for row in document["images"]] == [f.stem for f in files]


def test_cli_refuses_a_truncated_dump_in_one_line(tmp_path, model, capsys):
    files = _set5()
    write_recorded_run(tmp_path, model, files, hyp.OK)
    (tmp_path / "baby_1.bin").write_bytes(b"\0" * 1000)
    assert main(["diagnose", "--dump-dir", str(tmp_path), "--dataset-dir", str(SET5)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "baby_1.bin" in err and "1000 bytes" in err


def test_dump_of_the_wrong_size_for_float16_is_not_taken_for_float16(tmp_path):
    (tmp_path / "a_1.bin").write_bytes(b"\0" * 1000)
    with pytest.raises(SrcnnGateError, match="a_1.bin: output has 1000 bytes"):
        read_recorded_dump(tmp_path, ["a"])


@pytest.mark.slow
def test_diagnosis_table_names_every_cause(tmp_path):
    from srcnn_support.diagnose.diagnosis_table import table

    files = _set5()[:2]
    clamp = [OVERSHOOTING] if OVERSHOOTING.is_file() else files
    lines = table(files, DEFAULT_WEIGHTS, clamp)
    rows = [line.split(" | ") for line in lines if line.startswith("| ") and not line.startswith("| ---")][1:]
    named = {(r[0].lstrip("| ").split(" (")[0], r[3]): r[4] for r in rows}
    for cause in [c for c in MAKEABLE if c != hyp.OUTPUT_CLAMPED or OVERSHOOTING.is_file()] + [hyp.WEIGHTS_DIFFER]:
        for precision in ("fp32", "fp16 .om"):
            assert named[(cause, precision)] == cause, lines


def test_nan_outputs_are_unknown_and_say_so(tmp_path, set5_hypotheses):
    files, expected, inputs = set5_hypotheses
    observed = {name: np.full((256, 256), np.nan, np.float32) for name in expected}
    diagnosis = diagnose_outputs(observed, expected, inputs)
    assert diagnosis.cause == hyp.UNKNOWN
    assert diagnosis.overall.notes[0] == "the outputs contain NaN or Inf"
