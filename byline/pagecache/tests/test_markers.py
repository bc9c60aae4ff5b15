"""The file store's tag markers: one per (tag, entry), found by every purge whichever way
they were made (links to one file, a file each as older stores have them), and young again
whenever their entry is stored again, so that a sweep in between leaves them."""

from __future__ import annotations

import errno
import os
import time

from byline.pagecache import store as store_module
from byline.pagecache.store import Entry, FileStore
from byline.pagecache.sweep import GRACE_SECONDS, sweep
from byline.pagecache.tests.conftest import stored_page

KEY_A, KEY_B = "a" * 64, "b" * 64


def entry(*, deps=("post:1",), collections=("blog:1",)) -> Entry:
    return stored_page(deps=list(deps), collections=list(collections))


def marker(store: FileStore, tag: str, key: str) -> str:
    return os.path.join(store._tag_dir(tag), key)


def age(store: FileStore, key: str, tags: list[str], seconds: float) -> None:
    then = time.time() - seconds
    for tag in tags:
        os.utime(marker(store, tag, key), (then, then))


def temporary_files(store: FileStore) -> list[str]:
    return [name for _, _, names in os.walk(store.entries) for name in names if name[0] == "."]


def test_a_pages_markers_are_links_to_one_file_and_nothing_else_is_left(tmp_path):
    store = FileStore(tmp_path)
    tags = ["post:1", "post:2", "tag:3", "blog:1"]
    assert store.put(KEY_A, entry(deps=tags[:3]), generation="")
    inodes = {os.stat(marker(store, tag, KEY_A)).st_ino for tag in tags}
    assert len(inodes) == 1
    assert os.stat(marker(store, "post:1", KEY_A)).st_nlink == len(tags)
    assert temporary_files(store) == []
    # Another page's markers are its own.
    store.put(KEY_B, entry(deps=["post:1"]), generation="")
    assert os.stat(marker(store, "post:1", KEY_B)).st_ino not in inodes


def test_storing_again_makes_the_markers_young(tmp_path):
    store = FileStore(tmp_path)
    tags = ["post:1", "blog:1"]
    store.put(KEY_A, entry(deps=tags[:1]), generation="")
    age(store, KEY_A, tags, GRACE_SECONDS + 5)
    store.put(KEY_A, entry(deps=tags[:1]), generation="")
    for tag in tags:
        assert os.stat(marker(store, tag, KEY_A)).st_mtime > time.time() - GRACE_SECONDS


def test_a_sweep_between_the_markers_and_the_entry_leaves_the_markers(tmp_path, monkeypatch):
    """The entry expired and was swept; stored again, its old markers are found in place:
    a sweep that runs before the new entry is written must still see them as a put's."""
    store = FileStore(tmp_path)
    store.put(KEY_A, entry(deps=["post:1"]), generation="")
    age(store, KEY_A, ["post:1", "blog:1"], GRACE_SECONDS + 5)
    store._entry_path(KEY_A).unlink()
    write = store._write

    def sweep_first(target, data):
        sweep(store)
        return write(target, data)

    monkeypatch.setattr(store, "_write", sweep_first)
    store.put(KEY_A, entry(deps=["post:1", "post:2"]), generation="")
    assert store.purge({"post:1"}) == 1
    assert store.get(KEY_A) is None


def test_every_purge_is_honoured_by_the_puts_after_it(tmp_path):
    """A purge takes markers (and emptied directories) out behind this process's back; the
    next put of the page makes them again, and keeps the ones still there."""
    store = FileStore(tmp_path)
    gen = store.generation()
    store.put(KEY_A, entry(deps=["post:1", "post:2"]), generation=gen)
    store.put(KEY_B, entry(deps=["post:1"]), generation=gen)
    # Older than the purge (a marker of the same clock tick as its generation stays).
    age(store, KEY_A, ["post:1", "post:2", "blog:1"], 1)
    age(store, KEY_B, ["post:1", "blog:1"], 1)
    assert store.purge({"post:1"}) == 2
    assert not store._tag_dir("post:1").exists()
    gen = store.generation()
    assert store.put(KEY_A, entry(deps=["post:1", "post:2"]), generation=gen)
    assert store.purge({"post:1"}) == 1 and store.get(KEY_A) is None
    assert store.put(KEY_A, entry(deps=["post:1", "post:2"]), generation=store.generation())
    assert store.purge({"post:2"}) == 1 and store.get(KEY_A) is None
    assert store.put(KEY_A, entry(deps=["post:1"]), generation=store.generation())
    assert store.purge(set(), cascade={"blog:1"}) == 1 and store.get(KEY_A) is None


def test_markers_of_an_older_store_a_file_each_are_found_and_made_young(tmp_path):
    older = FileStore(tmp_path)
    older._links = False  # as stores were written before markers were links
    older.put(KEY_A, entry(deps=["post:1", "post:2"]), generation="")
    older.put(KEY_B, entry(deps=["post:2"]), generation="")
    assert os.stat(marker(older, "post:1", KEY_A)).st_nlink == 1
    store = FileStore(tmp_path)
    age(store, KEY_A, ["post:1", "post:2", "blog:1"], GRACE_SECONDS + 5)
    store.put(KEY_A, entry(deps=["post:1", "post:2", "post:3"]), generation="")
    assert os.stat(marker(store, "post:2", KEY_A)).st_mtime > time.time() - GRACE_SECONDS
    assert store.purge({"post:2"}) == 2
    assert store.get(KEY_A) is None and store.get(KEY_B) is None


def test_without_hard_links_a_file_per_marker(tmp_path, monkeypatch):
    def refuse(source, target):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(store_module.os, "link", refuse)
    store = FileStore(tmp_path)
    assert store.put(KEY_A, entry(deps=["post:1", "post:2"]), generation="")
    assert not store._links
    inodes = {os.stat(marker(store, tag, KEY_A)).st_ino for tag in ("post:1", "post:2")}
    assert len(inodes) == 2
    assert temporary_files(store) == []
    assert store.purge({"post:2"}) == 1 and store.get(KEY_A) is None
