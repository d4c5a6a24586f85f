"""Two CI jobs accepting into one release store at once: each gets its own number, every record is whole."""
import multiprocessing

from srcnn_support.release.store import ReleaseStore
from tests.unit.release.test_store import _accept


def test_two_jobs_accepting_at_once_get_their_own_numbers_and_whole_records(tmp_path):
    store = tmp_path / "store"
    context = multiprocessing.get_context("fork")
    jobs = [context.Process(target=_accept, args=(store, i)) for i in range(6)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(60)
    releases = ReleaseStore(store).releases()
    assert [r.sequence for r in releases] == [1, 2, 3, 4, 5, 6]
    assert sorted(r.record["images"][0]["standard_psnr"] for r in releases) == [30.0 + i for i in range(6)]
    assert [p.name for p in (store / "releases").iterdir() if p.name.startswith(".")] == []


