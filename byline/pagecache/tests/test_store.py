"""The stores themselves: entries, tags, cascades, generations, expiry, hostile keys."""

import time

import pytest

from byline.pagecache.keys import page_key
from byline.pagecache.store import Entry, FileStore

KEY_A, KEY_B, KEY_C = "a" * 64, "b" * 64, "c" * 64


def entry(body=b"page", *, deps=(), collections=(), expires=None):
    return Entry(
        status=200,
        headers=[("Content-Type", "text/html")],
        bodies={"identity": body},
        etag="e",
        last_modified=0.0,
        expires=expires or time.time() + 60,
        deps=list(deps),
        collections=list(collections),
    )


def test_entries_round_trip_and_purge_by_tag(page_store):
    gen = page_store.generation()
    assert page_store.put(KEY_A, entry(b"A", deps=["post:1"]), generation=gen)
    assert page_store.put(KEY_B, entry(b"B", deps=["post:2"]), generation=gen)
    assert page_store.get(KEY_A).bodies["identity"] == b"A"
    page_store.purge({"post:1"})
    assert page_store.get(KEY_A) is None
    assert page_store.get(KEY_B).bodies["identity"] == b"B"


def test_a_cascade_purges_every_page_of_a_listing_that_showed_the_post(page_store):
    gen = page_store.generation()
    page_store.put(KEY_A, entry(deps=["post:1"], collections=["tag-slug:x"]), generation=gen)
    page_store.put(KEY_B, entry(deps=["post:9"], collections=["tag-slug:x"]), generation=gen)
    page_store.put(KEY_C, entry(deps=["post:8"], collections=["tag-slug:y"]), generation=gen)
    page_store.purge(set(), cascade={"post:1"})
    assert page_store.get(KEY_A) is None and page_store.get(KEY_B) is None
    assert page_store.get(KEY_C) is not None


def test_purge_all_and_expiry(page_store):
    gen = page_store.generation()
    page_store.put(KEY_A, entry(), generation=gen)
    page_store.put(KEY_B, entry(expires=time.time() - 1), generation=gen)
    assert page_store.get(KEY_B) is None
    page_store.purge_all()
    assert page_store.get(KEY_A) is None
    assert page_store.put(KEY_A, entry(), generation=page_store.generation())
    assert page_store.get(KEY_A) is not None


def test_keys_never_name_a_path(page_store):
    for key in ("../../etc/passwd", "/etc/passwd", "A" * 64, "g" * 64, ""):
        with pytest.raises(ValueError):
            page_store.put(key, entry(), generation="")
        with pytest.raises(ValueError):
            page_store.get(key) if not isinstance(
                page_store, FileStore
            ) else page_store._entry_path(key)


def test_a_torn_or_foreign_file_is_a_miss(tmp_path):
    store = FileStore(tmp_path)
    store.put(KEY_A, entry(), generation="")
    path = store._entry_path(KEY_A)
    path.write_bytes(path.read_bytes()[:-2])
    assert store.get(KEY_A) is None
    path.write_bytes(b"not an entry")
    assert store.get(KEY_A) is None


def test_page_keys_are_hashes_of_host_path_and_page(settings, page_store):
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/a/", "HTTP_HOST": "localhost"}
    one = page_key({**base, "QUERY_STRING": ""})
    two = page_key({**base, "QUERY_STRING": "page=2"})
    other_host = page_key({**base, "HTTP_HOST": "127.0.0.1"})
    assert len({one.key, two.key, other_host.key}) == 3
    assert all(len(k.key) == 64 for k in (one, two, other_host))
    assert page_key({**base, "HTTP_HOST": "bad host/.."}) is None
    assert page_key({**base, "HTTP_HOST": "example.com"}) is None  # not in ALLOWED_HOSTS
    assert page_key({**base, "PATH_INFO": "/a/../b/"}) is None
    assert page_key({**base, "REQUEST_METHOD": "POST"}) is None
    settings.BYLINE_PAGECACHE = False
    assert page_key(base) is None


def test_what_a_re_render_reads_members_heads_and_deletes(page_store):
    """A re-render lists the entries of its tags (or all), reads where each came from and
    when it was rendered without its bodies, and removes one it cannot store again."""
    gen = page_store.generation()
    first = entry(b"A" * 5000, deps=["featured:site"])
    first.path, first.origin, first.rendered = "/a/?page=2", "https://example.com:8443", 12.5
    page_store.put(KEY_A, first, generation=gen)
    page_store.put(KEY_B, entry(deps=["author:1"]), generation=gen)
    assert page_store.members({"featured:site"}) == {KEY_A}
    assert page_store.keys() == {KEY_A, KEY_B}
    head = page_store.head(KEY_A)
    assert (head.path, head.origin, head.rendered) == (
        "/a/?page=2",
        "https://example.com:8443",
        12.5,
    )
    assert page_store.head(KEY_C) is None
    page_store.delete(KEY_A)
    assert page_store.get(KEY_A) is None and page_store.keys() == {KEY_B}


def test_hit_counts_add_up_across_flushes_and_halve_when_compacted(tmp_path):
    """3 + 4 hits on A make 7; compacting halves the counts (7 // 2 = 3, and B's 1 is gone)."""
    store = FileStore(tmp_path)
    store.note_hits({KEY_A: 3, KEY_B: 1, "../not-a-key": 5})
    store.note_hits({KEY_A: 4})
    assert store.hit_counts() == {KEY_A: 7, KEY_B: 1}
    store.compact_hits()
    assert store.hit_counts() == {KEY_A: 3}
