"""The file store's cap and its sweeper: expired entries and their markers go, the least
recently written go near the cap, and a full store refuses entries until swept."""

from __future__ import annotations

import os
import time

import pytest
from django.core.management import call_command

from byline.pagecache import store as store_module
from byline.pagecache.store import Entry, FileStore
from byline.pagecache.sweep import GRACE_SECONDS, SWEEP_TARGET, sweep

KiB = 1024


def entry(size: int = 10 * KiB, *, deps=("post:1",), expires: float | None = None) -> Entry:
    return Entry(
        status=200,
        headers=[("Content-Type", "text/html")],
        bodies={"identity": b"x" * size},
        etag="e",
        last_modified=0.0,
        expires=expires or time.time() + 3600,
        deps=list(deps),
        collections=["blog:1"],
    )


def key(n: int) -> str:
    return f"{n:064x}"


def markers(store: FileStore) -> list[str]:
    return [name for _, _, names in os.walk(store.tags) for name in names]


def entry_files(store: FileStore) -> set[str]:
    return {name for _, _, names in os.walk(store.entries) for name in names}


def age(store: FileStore, k: str, seconds: float) -> None:
    """Make entry `k` (and its markers) look written `seconds` ago."""
    then = time.time() - seconds
    os.utime(store._entry_path(k), (then, then))
    for directory, _, names in os.walk(store.tags):
        if k in names:
            os.utime(os.path.join(directory, k), (then, then))


def test_expired_entries_and_their_markers_go_and_live_ones_stay(tmp_path):
    store = FileStore(tmp_path)
    store.put(key(1), entry(deps=["post:1"]), generation="")
    store.put(key(2), entry(deps=["post:2"], expires=time.time() - 1), generation="")
    age(store, key(2), GRACE_SECONDS + 5)
    report = sweep(store)
    assert (report.expired, report.evicted, report.entries) == (1, 0, 1)
    assert entry_files(store) == {key(1)}
    # post:2's marker went, and its then empty directory; blog:1's marker for key 2 too.
    assert sorted(markers(store)) == [key(1), key(1)]
    assert report.markers == 2
    assert store.get(key(1)) is not None
    assert store.usage() == report.bytes == os.path.getsize(store._entry_path(key(1)))


def test_a_marker_made_just_now_stays_as_its_entry_may_be_on_its_way(tmp_path):
    """put() makes the markers first and writes the entry after: a sweep in between must not
    take the markers, or a purge would miss the entry."""
    store = FileStore(tmp_path)
    marker = store._tag_dir("post:3") / key(3)
    marker.parent.mkdir(parents=True)
    marker.touch()
    sweep(store)
    assert marker.exists()
    then = time.time() - GRACE_SECONDS - 5
    os.utime(marker, (then, then))
    os.utime(marker.parent, (then, then))
    assert sweep(store).markers == 1
    assert not marker.parent.exists()


def test_temporary_files_a_crash_left_go_after_the_grace(tmp_path):
    store = FileStore(tmp_path)
    store.put(key(1), entry(), generation="")
    torn = store._entry_path(key(1)).parent / ".tmp-crashed"
    torn.write_bytes(b"half a page")
    sweep(store)
    assert torn.exists()
    then = time.time() - GRACE_SECONDS - 5
    os.utime(torn, (then, then))
    sweep(store)
    assert not torn.exists() and store.get(key(1)) is not None


def test_an_unreadable_entry_goes(tmp_path):
    store = FileStore(tmp_path)
    store.put(key(1), entry(), generation="")
    store._entry_path(key(1)).write_bytes(b"not an entry")
    assert sweep(store).expired == 1
    assert entry_files(store) == set()


def test_a_full_store_refuses_entries_but_still_serves_what_it_has(tmp_path):
    """Pages of 9 KiB and a header count as 10 KiB each (the ledger counts every KiB begun):
    ten fit under a 100 KiB cap, the eleventh does not."""
    store = FileStore(tmp_path, max_bytes=100 * KiB)
    stored = [store.put(key(n), entry(9 * KiB), generation="") for n in range(12)]
    assert stored[:10] == [True] * 10 and stored[10:] == [False, False]
    assert store.usage() <= 100 * KiB
    assert len(entry_files(store)) == 10
    assert all(store.get(key(n)) is not None for n in range(10))
    assert store.get(key(11)) is None


def test_the_sweeper_takes_the_least_recently_written_out_near_the_cap(tmp_path):
    store = FileStore(tmp_path, max_bytes=100 * KiB)
    for n in range(10):
        assert store.put(key(n), entry(9 * KiB), generation="")
        age(store, key(n), 1000 - n)  # key 0 is the oldest
    assert not store.put(key(99), entry(9 * KiB), generation="")
    report = sweep(store)
    size = os.path.getsize(store._entry_path(key(9)))
    assert report.bytes <= SWEEP_TARGET * 100 * KiB < report.bytes + size
    assert report.evicted == 10 - report.entries >= 1
    assert entry_files(store) == {key(n) for n in range(report.evicted, 10)}
    assert store.usage() == report.bytes
    # Room again: the next page is stored.
    assert store.put(key(99), entry(9 * KiB), generation="")
    # The evicted entries' markers go as soon as they are past the grace.
    assert len(markers(store)) == 2 * (report.entries + 1)


def test_every_process_counts_what_every_other_wrote(tmp_path):
    """Two stores on one directory (two workers): each sees the other's writes at once."""
    one, two = FileStore(tmp_path, max_bytes=50 * KiB), FileStore(tmp_path, max_bytes=50 * KiB)
    for n in range(4):
        assert (one if n % 2 else two).put(key(n), entry(9 * KiB), generation="")
    assert one.usage() == two.usage() >= 4 * 9 * KiB
    assert one.put(key(4), entry(9 * KiB), generation="")
    assert not two.put(key(5), entry(9 * KiB), generation="")


def test_purging_everything_empties_the_count(tmp_path):
    store = FileStore(tmp_path, max_bytes=30 * KiB)
    for n in range(4):
        store.put(key(n), entry(9 * KiB), generation="")
    assert not store.put(key(9), entry(9 * KiB), generation="")
    store.purge_all()
    assert store.usage() == 0
    assert store.put(key(9), entry(9 * KiB), generation=store.generation())


def test_one_sweeper_at_a_time(tmp_path):
    import fcntl

    store = FileStore(tmp_path)
    store.root.mkdir(parents=True, exist_ok=True)
    with open(store.root / "sweep.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert sweep(store).busy
    assert not sweep(store).busy


def test_the_command_sweeps_the_file_store(page_store, capsys):
    if not isinstance(page_store, FileStore):
        call_command("pagecache_sweep")
        assert "Nothing to sweep" in capsys.readouterr().out
        return
    page_store.put(key(1), entry(), generation="")
    page_store.put(key(2), entry(expires=time.time() - 1), generation="")
    call_command("pagecache_sweep")
    out = capsys.readouterr().out
    assert "Page store: 1 pages" in out and "1 expired" in out
    assert entry_files(page_store) == {key(1)}


def test_the_command_refuses_a_negative_interval(page_store):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("pagecache_sweep", "--every", "-1")


def test_a_put_between_the_sweeps_look_at_a_marker_and_its_unlink_keeps_the_marker(
    tmp_path, monkeypatch
):
    """A stale marker (its entry gone, older than the grace): the sweep looks at it, then a
    put of the same page refreshes it and writes the entry, then the sweep unlinks it. The
    marker must be there after the sweep, or the next purge of the tag misses the page."""
    store = FileStore(tmp_path)
    store.put(key(1), entry(deps=["post:1"]), generation="")
    age(store, key(1), GRACE_SECONDS + 5)
    store.delete(key(1))  # its markers stay until a sweep
    marker = os.path.join(store._tag_dir("post:1"), key(1))
    unlink, put = os.unlink, []

    def a_put_lands_first(path, *args, **kwargs):
        if path == marker and not put:
            put.append(store.put(key(1), entry(deps=["post:1"]), generation=""))
        return unlink(path, *args, **kwargs)

    monkeypatch.setattr(store_module.os, "unlink", a_put_lands_first)
    sweep(store)
    monkeypatch.undo()
    assert put == [True]  # the put did land between the look and the unlink
    assert os.path.exists(marker)
    assert store.purge({"post:1"}) == 1
    assert store.get(key(1)) is None


def test_a_stale_marker_left_alone_still_goes(tmp_path):
    """The recheck after the unlink makes nothing again when no put came in between."""
    store = FileStore(tmp_path)
    store.put(key(1), entry(deps=["post:1"]), generation="")
    age(store, key(1), GRACE_SECONDS + 5)
    store.delete(key(1))
    assert sweep(store).markers == 2  # post:1's and blog:1's
    assert markers(store) == []
