"""The store of accepted releases: what a record holds, what is refused, and every way of having no baseline named
(two jobs accepting at once: tests/integration/test_release_store_processes.py)."""
import json

import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.release.store import ReleaseStore, accepted_record, latest_or_reason, read_results


def results_document(status="PASS", psnr=36.0, fps=348.038) -> dict:
    return {"schema": "srcnn-gate/results/1", "release": {"status": status, "headline": f"RELEASE {status}: x"},
            "meta": {"weights_sha256": "ab" * 32, "run": {"id": "0123456789ab"}, "machine": {"cpu": "X"}},
            "images": [{"backend": "pytorch", "image": "baby", "standard_psnr": psnr, "standard_ssim": 0.95,
                        "guide_psnr_guide_layout": 36.5, "output_sha256": "cd" * 32, "finite": True}],
            "perf": [{"target": "ascend310", "backend": "ascend-om", "precision": "fp16", "batch_size": 1,
                      "device": 0, "fps": fps, "om": "srcnn_bs1.om", "om_sha256": "ef" * 32, "verdict": "pass"}]}


def _accept(store, index):
    ReleaseStore(store).accept(accepted_record(results_document(psnr=30.0 + index), store / "src.json"))


def test_the_record_holds_metrics_digests_perf_artifacts_and_machine(tmp_path):
    record = accepted_record(results_document(), tmp_path / "results.json")
    assert record["images"] == [{"backend": "pytorch", "image": "baby", "guide_psnr_guide_layout": 36.5,
                                 "standard_psnr": 36.0, "standard_ssim": 0.95, "output_sha256": "cd" * 32}]
    assert record["perf"][0]["fps"] == 348.038 and record["artifacts"]["om"] == [{"name": "srcnn_bs1.om",
                                                                                   "sha256": "ef" * 32}]
    assert record["artifacts"]["weights_sha256"] == "ab" * 32 and record["machine"] == {"cpu": "X"}


def test_a_failed_run_is_not_accepted(tmp_path):
    with pytest.raises(SrcnnGateError, match=r"results\.json: RELEASE FAIL: x: a failed run is not accepted"):
        accepted_record(results_document("FAIL"), tmp_path / "results.json")


def test_results_are_read_from_the_artifacts_folder_or_refused_naming_the_file(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps(results_document()))
    assert read_results(tmp_path)[0] == tmp_path / "run.json"
    (tmp_path / "other.json").write_text('{"schema": "something else"}')
    with pytest.raises(SrcnnGateError, match=r"other\.json: not a srcnn-gate results document"):
        read_results(tmp_path / "other.json")
    with pytest.raises(SrcnnGateError, match=r"empty/results\.json: no results JSON here"):
        (tmp_path / "empty").mkdir()
        read_results(tmp_path / "empty")


def test_no_store_an_empty_store_and_an_unreadable_record_each_say_why(tmp_path):
    assert latest_or_reason(None)[1].startswith("no --baseline STORE given")
    assert latest_or_reason(tmp_path / "absent")[1] == f"{tmp_path / 'absent'}: --baseline: no such release store " \
                                                       "(make one with 'python -m srcnn_support accept --results " \
                                                       "RUN --store STORE')"
    (tmp_path / "empty").mkdir()
    assert latest_or_reason(tmp_path / "empty")[1].endswith("--baseline: the store holds no accepted release yet")
    _accept(tmp_path / "store", 0)
    broken = tmp_path / "store" / "releases" / "0002-20260101T000000Z-run.json"
    broken.write_text('{"schema": "srcnn-gate/accepted-release/1", "seq')
    release, reason = latest_or_reason(tmp_path / "store")
    assert release is None and reason.startswith(f"{broken}: accepted release unreadable")
