"""The file store's sweeper: expired pages out, room made near the cap, stale markers gone.

Entries expire (BYLINE_PAGECACHE_MAX_AGE, or a Featured window) but nothing deletes their
files, and an address nobody asks for again is never purged: without a sweep the store only
grows. ``byline serve`` sweeps every BYLINE_PAGECACHE_SWEEP_INTERVAL seconds
(``byline pagecache_sweep --every N``); elsewhere run ``byline pagecache_sweep`` from cron.

    report = sweep(get_store())  # a FileStore
    print(report)  # Page store: 812 pages (31.4 MB) kept, 40 expired and 0 oldest removed…
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass

from byline.pagecache.store import MAGIC, FileStore, _is_key, _unmark_if_older

# Past this share of the cap the least recently written entries go, so that new pages can be
# stored again until the next sweep (at the cap itself, put() refuses them).
SWEEP_TARGET = 0.9
# A marker, directory or temporary file younger than this may belong to a put under way
# (markers are made before their entry is written).
GRACE_SECONDS = 60


@dataclass
class SweepReport:
    """What a sweep found and did."""

    entries: int = 0  # kept
    bytes: int = 0  # kept
    expired: int = 0  # taken out: expired, or unreadable
    evicted: int = 0  # taken out: least recently written, near the cap
    markers: int = 0  # taken out: markers of entries no longer there
    busy: bool = False  # another sweeper was at work: nothing done

    def __str__(self) -> str:
        if self.busy:
            return "Another sweep of the page store is under way."
        return (
            f"Page store: {self.entries} pages ({self.bytes / 2**20:.1f} MB) kept, "
            f"{self.expired} expired and {self.evicted} oldest removed, "
            f"{self.markers} stale tag markers removed."
        )

    @property
    def removed(self) -> int:
        return self.expired + self.evicted + self.markers


def sweep(store: FileStore, *, now: float | None = None) -> SweepReport:
    """Take out expired (and unreadable) entries, then, past SWEEP_TARGET of the store's cap,
    the least recently written ones; then the tag markers of entries no longer there and the
    temporary files a crash left; and note the size left. One sweeper at a time: another
    returns at once (report.busy)."""
    now = time.time() if now is None else now
    report = SweepReport()
    store.root.mkdir(parents=True, exist_ok=True)
    with open(store.root / "sweep.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            report.busy = True
            return report
        store.start_measuring()
        kept = _sweep_entries(store, now, report)
        _sweep_markers(store, now, {key for _mtime, _size, key in kept}, report)
        for name in os.listdir(store.root):
            if name.startswith(".old-"):  # what a purge_all that did not finish left
                shutil.rmtree(store.root / name, ignore_errors=True)
        report.entries, report.bytes = len(kept), sum(size for _, size, _ in kept)
        store.measured(report.bytes)
    return report


def _expiry(path: str) -> float | None:
    """When the entry in file `path` expires, from its header alone; None if unreadable."""
    with open(path, "rb") as file:
        head = file.read(8)
        if len(head) < 8 or head[:4] != MAGIC:
            return None
        (size,) = struct.unpack(">I", head[4:8])
        try:
            return float(json.loads(file.read(size))["x"])
        except (ValueError, KeyError, TypeError):
            return None


def _files(directory: str) -> Iterator[os.DirEntry]:
    """The files one level of shard directories down (e/ab/<key>, t/cd/<digest>)."""
    try:
        shards = [shard.path for shard in os.scandir(directory) if shard.is_dir()]
    except FileNotFoundError:
        return
    for shard in shards:
        with contextlib.suppress(FileNotFoundError), os.scandir(shard) as items:
            yield from items


def _sweep_entries(store: FileStore, now: float, report: SweepReport) -> list:
    """(mtime, size, key) of the entries left, after taking out the expired and, near the
    cap, the least recently written."""
    kept = []
    for item in _files(os.fspath(store.entries)):
        try:
            stat = item.stat(follow_symlinks=False)
            if item.name.startswith(".tmp-"):
                if stat.st_mtime < now - GRACE_SECONDS:
                    os.unlink(item.path)  # a write that crashed
                continue
            if not _is_key(item.name):
                continue
            expires = _expiry(item.path)
            if expires is None or expires <= now:
                os.unlink(item.path)
                report.expired += 1
                continue
        except FileNotFoundError:
            continue  # purged meanwhile
        kept.append((stat.st_mtime_ns, stat.st_size, item.name))
    total = sum(size for _, size, _ in kept)
    target = store.max_bytes * SWEEP_TARGET
    if store.max_bytes and total > target:
        kept.sort()  # least recently written first
        while report.evicted < len(kept) and total > target:
            _mtime, size, key = kept[report.evicted]
            store._entry_path(key).unlink(missing_ok=True)
            total -= size
            report.evicted += 1
        del kept[: report.evicted]
    return kept


def _sweep_markers(store: FileStore, now: float, kept: set[str], report: SweepReport) -> None:
    """Take out the markers of entries no longer there, past the grace, and the tag
    directories this leaves empty."""
    old = now - GRACE_SECONDS
    old_ns = int(old * 1_000_000_000)
    for tag in _files(os.fspath(store.tags)):
        try:
            names = os.listdir(tag.path)
        except (FileNotFoundError, NotADirectoryError):
            continue
        left = len(names)
        made = None  # when the directory last changed, before this sweep changed it
        for name in names:
            if name in kept:
                continue  # the common case, so without a stat()
            if _exists(store, name):
                continue
            if made is None:
                try:
                    made = tag.stat().st_mtime
                except FileNotFoundError:
                    break  # a purge took the directory out meanwhile
            # Younger than the grace, the marker may be a put's, made before its entry. And a
            # put of the page may refresh it between the look at its age and the unlink, then
            # write its entry: the unlink leaves (or makes again) a marker refreshed meanwhile.
            if not _unmark_if_older(os.path.join(tag.path, name), old_ns):
                continue
            left -= 1
            report.markers += 1
        if not left:
            with contextlib.suppress(OSError):
                # Not a directory a put made just now, about to write its marker there (and
                # if one wrote there since the listing, it is not empty: rmdir fails).
                if (tag.stat().st_mtime if made is None else made) < old:
                    os.rmdir(tag.path)


def _exists(store: FileStore, key: str) -> bool:
    # A put since the walk of the entries: its entry is there though the walk missed it.
    return _is_key(key) and store._entry_path(key).exists()
