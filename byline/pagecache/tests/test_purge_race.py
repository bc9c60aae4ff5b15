"""A purge and a render that starts after it: the render's page, stored once the purge has
taken the old one out, keeps the markers through which the next purge finds it."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

from byline.pagecache import store as store_module
from byline.pagecache.store import Entry, FileStore, RedisStore, _unmark_if_older
from byline.pagecache.tests.conftest import REDIS_TEST_URL, stored_page

KEY = "a" * 64
TAGS = ["post:1", "blog:1"]


def entry() -> Entry:
    return stored_page(deps=TAGS[:1], collections=TAGS[1:])


@pytest.mark.parametrize("stored_before", [True, False], ids=["refreshed", "new"])
def test_a_render_begun_after_a_purge_bumped_is_found_by_the_next_purge(
    tmp_path, monkeypatch, stored_before
):
    """purge bumps the generation → a render reads it and its put makes (or refreshes) the
    page's markers → the purge lists the tag and deletes entry and markers → the put writes
    its entry, its generation still current. The next purge of the tag must take it out."""
    purger, renderer = FileStore(tmp_path), FileStore(tmp_path)  # two processes
    if stored_before:
        assert renderer.put(KEY, entry(), generation=renderer.generation())
    marked, may_write = threading.Event(), threading.Event()
    stored = []
    write = renderer._write

    def write_after_the_purge(target, data):
        if target == renderer._entry_path(KEY):
            marked.set()
            assert may_write.wait(10)
        return write(target, data)

    monkeypatch.setattr(renderer, "_write", write_after_the_purge)
    members = purger._members
    render = None

    def a_render_marks_first(tag):
        nonlocal render
        if render is None:  # the generation is the purge's by now
            generation = renderer.generation()
            render = threading.Thread(
                target=lambda: stored.append(renderer.put(KEY, entry(), generation=generation))
            )
            render.start()
            assert marked.wait(10)
        return members(tag)

    monkeypatch.setattr(purger, "_members", a_render_marks_first)
    try:
        purger.purge({"post:1"})
    finally:
        may_write.set()
        if render is not None:
            render.join(10)
    monkeypatch.undo()

    assert stored == [True]  # the render began after the purge: its page is kept
    assert purger.get(KEY) is not None
    assert purger.purge({"post:1"}) == 1
    assert purger.get(KEY) is None


def test_a_marker_refreshed_between_the_purges_look_and_its_unlink_is_made_again(
    tmp_path, monkeypatch
):
    store = FileStore(tmp_path)
    assert store.put(KEY, entry(), generation="")
    marker = os.path.join(store._tag_dir("post:1"), KEY)
    long_ago = time.time() - 60
    os.utime(marker, (long_ago, long_ago))
    unlink = os.unlink

    def refreshed_first(path, *args, **kwargs):
        if path == marker:
            os.utime(marker)  # a put of the page, just after the purge looked
        return unlink(path, *args, **kwargs)

    monkeypatch.setattr(store_module.os, "unlink", refreshed_first)
    _unmark_if_older(marker, time.time_ns() - 30 * 10**9)
    monkeypatch.undo()
    assert os.path.exists(marker)
    # Older than the purge and left alone meanwhile: it goes.
    os.utime(marker, (long_ago, long_ago))
    _unmark_if_older(marker, time.time_ns() - 30 * 10**9)
    assert not os.path.exists(marker)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
@pytest.mark.parametrize("after_round_trip", [1, 2, 3, 4])
def test_redis_a_put_landing_between_a_purges_round_trips_stays_findable(after_round_trip):
    """The same race on Redis: a render begun after the purge's generation stores its page
    (whole) between two of the purge's round trips; the next purge must find it."""
    prefix = f"byline-test-pagecache-{uuid.uuid4().hex}:"
    purger = RedisStore(REDIS_TEST_URL, prefix)
    renderer = RedisStore(REDIS_TEST_URL, prefix)
    try:
        assert renderer.put(KEY, entry(), generation=renderer.generation())
        round_trips, stored = [0], []

        def after_each(result):
            round_trips[0] += 1
            if round_trips[0] == after_round_trip:
                stored.append(renderer.put(KEY, entry(), generation=renderer.generation()))
            return result

        command, pipeline = purger.client.execute_command, purger.client.pipeline

        def counted_pipeline(*args, **kwargs):
            pipe = pipeline(*args, **kwargs)
            execute = pipe.execute
            pipe.execute = lambda *a, **k: after_each(execute(*a, **k))
            return pipe

        purger.client.execute_command = lambda *a, **k: after_each(command(*a, **k))
        purger.client.pipeline = counted_pipeline
        purger.purge({"post:1"})
        purger.client.execute_command, purger.client.pipeline = command, pipeline
        if not stored:  # the purge made fewer round trips: the put comes after it
            stored.append(renderer.put(KEY, entry(), generation=renderer.generation()))
        assert stored == [True]
        if purger.get(KEY) is not None:
            assert purger.purge({"post:1"}) == 1
            assert purger.get(KEY) is None
    finally:
        names = list(purger.client.scan_iter(match=f"{prefix}*"))
        if names:
            purger.client.delete(*names)
