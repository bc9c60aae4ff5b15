"""What a reader (or a flood) can vary without end, ?page=N and the Host header's spelling,
never grows the page store: only real pages of a listing and one spelling of each host are
stored, and every request still gets Django's answer (200, 404 or 400; never a 500)."""

from __future__ import annotations

import os
import re

import pytest

from byline.pagecache.keys import page_key
from byline.pagecache.store import FileStore, get_store
from byline.pagecache.sweep import SWEEP_TARGET, sweep
from byline.pagecache.tests.conftest import StoreClient
from tests.factories import make_post

pytestmark = pytest.mark.django_db

BLOG = "/blogs/bekkers-blog/"


@pytest.fixture
def posts(tree, settings):
    """Five posts, two to a page: the blog's front has pages 1 to 3."""
    settings.BYLINE_POSTS_PER_PAGE = 2
    return [make_post(tree.blog, title=f"Flood {n}", authors=[tree.author]) for n in range(5)]


def stored_keys(page_store) -> set[str]:
    if hasattr(page_store, "entries"):
        return {name for _, _, names in os.walk(page_store.entries) for name in names}
    prefix = f"{page_store.prefix}e:"
    return {name.decode()[len(prefix) :] for name in page_store.client.scan_iter(f"{prefix}*")}


def key_of(path: str, query: str = "", host: str = "localhost") -> str:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query}
    return page_key({**environ, "HTTP_HOST": host, "SERVER_PORT": "80"}).key


def test_a_page_number_is_stored_only_where_the_view_paginates(reader, posts, page_store):
    assert reader.get(f"{BLOG}?page=3").state == "miss"
    assert reader.get(f"{BLOG}?page=3").state == "hit"
    for path in (posts[0].url, "/feed/", "/sitemap.xml", "/authors/scott-bekker/atom/"):
        for _ in range(2):
            answer = reader.get(f"{path}?page=2")
            assert answer.status == 200, path
            assert "x-byline-cache" not in answer.headers, path
    assert reader.get(f"{BLOG}?page=4").status == 404
    assert stored_keys(page_store) == {key_of(BLOG, "page=3")}


def without_form_tokens(body: bytes) -> bytes:
    """A page's bytes with its forms' tokens blanked: a token carries the second it was made
    (core/formguard.py), so two renders a moment apart may differ there and nowhere else."""
    return re.sub(rb'name="formguard_token" value="[^"]*"', b'name="formguard_token"', body)


def test_page_one_is_answered_with_the_plain_page_and_never_stored_apart(reader, posts, page_store):
    first = reader.get(f"{BLOG}?page=1")
    assert first.status == 200 and "x-byline-cache" not in first.headers
    plain = reader.get(BLOG)
    assert plain.state == "miss"
    assert without_form_tokens(plain.body) == without_form_tokens(first.body)
    again = reader.get(f"{BLOG}?page=1")
    assert again.state == "hit" and again.body == plain.body
    assert stored_keys(page_store) == {key_of(BLOG)}


def test_spellings_of_the_host_share_one_entry(reader, posts, page_store):
    post = posts[0].url
    for host in ("LOCALHOST", "localhost.", "LocalHost.:80", "localhost:0080"):
        answer = reader.get(post, HTTP_HOST=host)
        assert answer.status == 200 and "x-byline-cache" not in answer.headers, host
    assert stored_keys(page_store) == set()
    assert reader.get(post).state == "miss"
    for host in ("LOCALHOST", "localhost.", "LocalHost.:80", "localhost:0080", "localhost"):
        assert reader.get(post, HTTP_HOST=host).state == "hit", host
    assert stored_keys(page_store) == {key_of(post)}
    assert b"http://localhost/" in reader.get("/feed/").body
    assert reader.get("/feed/", HTTP_HOST="LOCALHOST.").state == "hit"


def test_only_the_port_the_server_listens_on_is_stored(posts, page_store):
    """Django accepts any port; the links of a page rendered for one carry it."""
    reader = StoreClient(host="127.0.0.1:8000")
    post = posts[0].url
    assert reader.get(post, SERVER_PORT="8000").state == "miss"
    assert reader.get(post, SERVER_PORT="8000").state == "hit"
    assert reader.get(post, HTTP_HOST="127.0.0.1:0008000", SERVER_PORT="8000").state == "hit"
    for port in (1, 7, 8001, 65535):
        answer = reader.get(post, HTTP_HOST=f"127.0.0.1:{port}", SERVER_PORT="8000")
        assert answer.status == 200 and "x-byline-cache" not in answer.headers, port
        assert (
            f"127.0.0.1:{port}".encode()
            in reader.get("/feed/", HTTP_HOST=f"127.0.0.1:{port}", SERVER_PORT="8000").body
        )
    assert len(stored_keys(page_store)) == 1


def test_a_render_for_another_host_than_the_keys_is_not_stored(reader, posts, settings):
    """Behind a proxy that sets X-Forwarded-Host (USE_X_FORWARDED_HOST), Django renders for
    that host; kept under the Host header's key, its links would be served for this one."""
    settings.USE_X_FORWARDED_HOST = True
    feed = reader.get("/feed/", HTTP_X_FORWARDED_HOST="127.0.0.1")
    assert feed.status == 200 and "x-byline-cache" not in feed.headers
    assert b"http://127.0.0.1/" in feed.body
    assert reader.get("/feed/").state == "miss"


def test_a_host_django_refuses_is_refused_even_when_its_name_is_stored(reader, posts):
    reader.get(posts[0].url)
    for host in ("evil.example", "localhost:", "localhost..", "local host", "[::1", "x@localhost"):
        answer = reader.get(posts[0].url, HTTP_HOST=host)
        assert answer.status == 400 and "x-byline-cache" not in answer.headers, host


def test_a_flood_of_page_numbers_and_hosts_stores_only_the_real_pages(reader, posts, page_store):
    """Some 300 distinct requests, twice, each a new address to a naive key: the store ends
    with the blog's three pages, one post and the feed, under the plain host."""
    post = posts[0].url
    flood = [(path, "localhost", 200) for path in (BLOG, post, "/feed/")]
    flood += [(f"{BLOG}?page={n}", "localhost", 200 if n <= 3 else 404) for n in range(1, 81)]
    flood += [(f"{post}?page={n}", "localhost", 200) for n in range(1, 61)]
    flood += [(f"/feed/?page={n}", "localhost", 200) for n in range(1, 31)]
    flood += [(post, f"127.0.0.1:{port}", 200) for port in range(1, 61)]
    flood += [(post, f"127.0.0.1:{'0' * n}8000", 200) for n in range(1, 6)]
    flood += [(post, host, 200) for host in ("LOCALHOST", "localhost.", "[::1]:7", "[::1]:80")]
    flood += [(post, f"evil{n}.example", 400) for n in range(30)]
    flood += [(post, f"{n}.localhost", 400) for n in range(30)]
    flood += [(post, host, 400) for host in ("localhost:", "local host", "[::1", "a/b")]
    for _ in range(2):
        for path, host, status in flood:
            answer = reader.get(path, HTTP_HOST=host)
            assert answer.status == status, (path, host, answer.status)
    assert len(flood) > 300
    assert stored_keys(page_store) == {
        key_of(BLOG),
        key_of(BLOG, "page=2"),
        key_of(BLOG, "page=3"),
        key_of(post),
        key_of("/feed/"),
    }


def test_a_flood_of_real_pages_keeps_the_file_store_under_its_cap(reader, tree, settings):
    """Forty posts, each a real page, into a store capped at 200 KiB: past the cap they are
    served but not stored ("pass"), a sweep makes room, and storing resumes."""
    if settings.BYLINE_PAGECACHE_REDIS_URL:
        pytest.skip("Redis is capped by its own maxmemory (docs/scaling.md)")
    cap = 200 * 1024
    settings.BYLINE_PAGECACHE_MAX_MB = cap / 2**20
    store = get_store()
    assert isinstance(store, FileStore) and store.max_bytes == cap
    posts = [make_post(tree.blog, title=f"Flood {n}", authors=[tree.author]) for n in range(40)]
    states = []
    for post in posts:
        answer = reader.get(post.url)
        assert answer.status == 200 and post.title.encode() in answer.body
        states.append(answer.state)
        assert store.usage() <= cap
    on_disk = sum(p.stat().st_size for p in store.entries.rglob("*") if p.is_file())
    assert on_disk <= cap
    assert states[0] == "miss" and states[-1] == "pass", states
    stored = states.count("miss")
    for post, state in zip(posts, states, strict=True):
        assert reader.get(post.url).state == ("hit" if state == "miss" else "pass")
    report = sweep(store)
    # The store counts every byte written since the last sweep (rewrites and purged pages
    # too), so it may refuse before the pages on disk reach the sweep's target: the sweep
    # measures them afresh, evicting only past the target (test_sweep.py covers eviction).
    assert report.bytes <= SWEEP_TARGET * cap
    assert store.usage() == report.bytes
    assert reader.get(posts[-1].url).state == "miss"
    assert 0 < stored < len(posts)
