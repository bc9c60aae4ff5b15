"""`byline bake DIR` and `byline bake DIR --changed`."""

import gc
import gzip
import hashlib
import json
import logging
from collections import Counter
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from hypothesis import example, given
from hypothesis import strategies as st
from wagtail.models import PageViewRestriction, Site

from byline.core import frame
from byline.pagecache.bake import GC_THRESHOLDS, LINK, found_links
from byline.pagecache.keys import bake_key
from tests.factories import make_column, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tree):
    first = make_post(tree.blog, title="First post", authors=[tree.author], tags=["microsoft"])
    other = make_post(tree.blog, title="Other post", date=first.date.replace(year=2010))
    return first, other


def bake(out, *args):
    # One process: worker processes would not see this test's rows, which are not committed
    # (test_bake_parallel.py bakes in several).
    call_command(
        "bake", str(out), "--base-url", "http://localhost", "--jobs", "1", *args, verbosity=0
    )
    return json.loads((out / ".byline-bake.json").read_text())["files"]


def test_bake_writes_the_whole_public_site(site, page_store, keep_connection, tmp_path):
    first, other = site
    out = tmp_path / "site"
    files = bake(out)
    for name in (
        "index.html",
        "blogs/index.html",
        "blogs/bekkers-blog/index.html",
        "blogs/bekkers-blog/archive/index.html",
        "blogs/bekkers-blog/2011/index.html",
        first.url.strip("/") + "/index.html",
        other.url.strip("/") + "/index.html",
        "authors/scott-bekker/index.html",
        "tags/microsoft/index.html",
        "feed/index.xml",
        "atom/index.xml",
        "feed.json",
        "blogs/bekkers-blog/feed/index.xml",
        "sitemap.xml",
        "robots.txt",
        "sitemap-news.xml",
        "manifest.webmanifest",
    ):
        assert name in files, name
        assert (out / name).is_file(), name
    html = (out / first.url.strip("/") / "index.html").read_text()
    assert "First post" in html
    for name in ("index.html", first.url.strip("/") + "/index.html", "feed/index.xml"):
        assert gzip.decompress((out / f"{name}.gz").read_bytes()) == (out / name).read_bytes()
    assert not any(name.startswith(("admin", "static/", "search")) for name in files)


def test_a_bakes_entries_carry_no_brotli_and_its_etags_are_its_files(
    site, page_store, keep_connection, tmp_path, reader
):
    first, _other = site
    out = tmp_path / "site"
    files = bake(out)
    # The etag the manifest keeps (the store's, not worked out again) is the file's bytes'.
    for name, etag in files.items():
        assert etag == hashlib.sha256((out / name).read_bytes()).hexdigest()[:32], name
    key = bake_key(first.url, "", host="localhost", scheme="http")
    baked = page_store.get(key)
    assert set(baked.bodies) == {"identity", "gzip"}
    # A reader who accepts brotli gets the bake's entry gzipped until it is rendered again,
    # and that render, a reader's, is stored with brotli.
    answer = reader.get(first.url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert answer.state == "hit" and answer.headers["content-encoding"] == "gzip"
    assert gzip.decompress(answer.body) == (out / files_name(first)).read_bytes()
    page_store.delete(key)
    assert reader.get(first.url).state == "miss"
    assert set(page_store.get(key).bodies) == {"identity", "gzip", "br"}
    answer = reader.get(first.url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert answer.state == "hit" and answer.headers["content-encoding"] == "br"


def files_name(post) -> str:
    return post.url.strip("/") + "/index.html"


def test_a_bake_collects_garbage_less_often_while_it_renders(
    site, page_store, keep_connection, tmp_path
):
    from django.core.signals import request_started

    before = gc.get_threshold()
    during = set()

    def note(**kwargs):
        during.add(gc.get_threshold())

    request_started.connect(note)
    try:
        bake(tmp_path / "site")
    finally:
        request_started.disconnect(note)
    assert during == {GC_THRESHOLDS}
    assert gc.get_threshold() == before != GC_THRESHOLDS


def test_a_bakes_sqlite_connections_read_through_a_memory_map(tmp_path):
    """A worker's connection is opened inside the bake: mapped. (The tests' own database is
    in memory, which SQLite never maps.)"""
    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from byline.pagecache.bake import sqlite_mapped

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own setting")

    def opened() -> int:
        wrapper = DatabaseWrapper(
            {**connection.settings_dict, "NAME": str(tmp_path / "bake.sqlite3")}, alias="other"
        )
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA mmap_size")
                return cursor.fetchone()[0]
        finally:
            wrapper.close()

    with sqlite_mapped():
        # As much as asked for, or the most this SQLite maps.
        assert opened() > 0
    assert opened() == 0


def test_after_a_bake_an_open_connection_maps_what_it_mapped_before(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from byline.pagecache import bake as baking

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own setting")
    wrapper = DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(tmp_path / "open.sqlite3")}, alias="open"
    )
    wrapper.ensure_connection()
    try:
        wrapper.connection.execute("PRAGMA mmap_size=65536")
        monkeypatch.setattr(
            baking, "connections", SimpleNamespace(all=lambda initialized_only=False: [wrapper])
        )
        with baking.sqlite_mapped():
            assert baking._mapped_sqlite(wrapper) > 65536
        assert baking._mapped_sqlite(wrapper) == 65536
    finally:
        wrapper.close()


def test_a_bake_writes_no_request_log_lines(site, page_store, keep_connection, tmp_path, client):
    # The bake's renders are no reader's requests: a line each would bury the real ones.
    seen = []
    handler = logging.Handler(logging.INFO)
    handler.emit = seen.append
    requests = logging.getLogger("byline.requests")
    requests.addHandler(handler)
    try:
        files = bake(tmp_path / "site")
        assert len(files) > 10
        assert seen == []
        client.get("/")
        assert [record.fields["path"] for record in seen] == ["/"]
    finally:
        requests.removeHandler(handler)


def test_bake_changed_rewrites_only_what_changed(
    site, page_store, keep_connection, tmp_path, django_capture_on_commit_callbacks
):
    first, other = site
    out = tmp_path / "site"
    bake(out)
    other_file = out / other.url.strip("/") / "index.html"
    first_file = out / first.url.strip("/") / "index.html"
    other_time, first_time = other_file.stat().st_mtime_ns, first_file.stat().st_mtime_ns

    from byline.pagecache.bake import Baker

    unchanged = Baker(out, host="localhost", scheme="http", changed=True).run()
    # Nothing written; nothing rendered but the pages that are not for baking (the author's
    # contact form), which have to be asked for to be told apart.
    assert unchanged.written == 0 and unchanged.pages > 10
    assert unchanged.rendered == len(unchanged.skipped) == 1
    assert unchanged.skipped == ["/authors/scott-bekker/contact/"]

    with django_capture_on_commit_callbacks(execute=True):
        first.title = "First post, revised"
        first.save_revision().publish()
    report = Baker(out, host="localhost", scheme="http", changed=True).run()
    assert "First post, revised" in first_file.read_text()
    assert first_file.stat().st_mtime_ns != first_time
    assert other_file.stat().st_mtime_ns == other_time or "First post" in other_file.read_text()
    assert 0 < report.written < report.pages

    with django_capture_on_commit_callbacks(execute=True):
        other.unpublish()
    report = Baker(out, host="localhost", scheme="http", changed=True).run()
    assert report.removed >= 1 and not other_file.exists()


@pytest.mark.parametrize("withdrawal", ["unpublished", "restricted"])
def test_a_full_bake_takes_out_the_files_of_pages_gone_since_the_last(
    site, page_store, keep_connection, tmp_path, django_capture_on_commit_callbacks, withdrawal
):
    """A bake without --changed into a folder baked before: the pages that went out of
    readers' sight since are no longer in it for a server to serve."""
    first, other = site
    out = tmp_path / "site"
    bake(out)
    other_file = out / other.url.strip("/") / "index.html"
    assert other_file.exists() and other_file.with_name("index.html.gz").exists()
    with django_capture_on_commit_callbacks(execute=True):
        if withdrawal == "unpublished":
            other.unpublish()
        else:
            PageViewRestriction.objects.create(page=other, restriction_type="login")
    files = bake(out)
    assert not other_file.exists() and not other_file.with_name("index.html.gz").exists()
    assert other.url.strip("/") + "/index.html" not in files
    assert (out / first.url.strip("/") / "index.html").exists()
    assert "Other post" not in (out / "index.html").read_text()


@pytest.mark.parametrize("manifest", [b"{not json", b"[1, 2]", b'{"files": [1]}'])
def test_a_bake_refuses_a_folder_whose_list_of_files_is_unreadable(
    site, page_store, keep_connection, tmp_path, manifest
):
    """Not a silent bake that leaves gone pages' files behind: the command names the file
    and what to do."""
    out = tmp_path / "site"
    out.mkdir()
    (out / ".byline-bake.json").write_bytes(manifest)
    with pytest.raises(CommandError, match=r"\.byline-bake\.json is not a bake's list"):
        bake(out)
    assert (out / ".byline-bake.json").read_bytes() == manifest


def test_a_bakes_absolute_addresses_are_all_on_its_base_url(
    site, page_store, keep_connection, tmp_path
):
    """The Site record's host is an editor's to set and may be another (the demo's is
    127.0.0.1:8000): a bake for --base-url http://localhost writes that host everywhere,
    share links included, and the record's nowhere."""
    first, _other = site
    record = Site.objects.get(is_default_site=True)
    record.hostname, record.port = "record.example", 8000
    record.save()  # as the admin saves it: the sites' cached root paths go with it
    out = tmp_path / "site"
    files = bake(out)
    post = (out / first.url.strip("/") / "index.html").read_text()
    assert f'<a href="http://localhost{first.url}" data-copy-link>' in post
    assert quote(f"http://localhost{first.url}", safe="") in post
    assert not [name for name in files if "record.example" in (out / name).read_text()]


def test_bake_refuses_a_bad_base_url(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("bake", str(tmp_path), "--base-url", "ftp://x")


def test_bake_copies_images_but_never_documents(site, page_store, keep_connection, tmp_path):
    """A document may be in a collection with a view restriction, which only Wagtail's view
    at /documents/ checks; the bake holds image files only, not even files beside them."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    private = Collection.get_first_root_node().add_child(name="Board")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = get_document_model().objects.create(
        title="minutes", file=ContentFile(b"%PDF-1.4\n", name="minutes.pdf"), collection=private
    )
    media = settings.MEDIA_ROOT
    for name in ("original_images/cover.jpg", "images/cover.width-32.jpg", "stray.txt"):
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(b"x")
    out = tmp_path / "site"
    bake(out)
    assert (out / "media/original_images/cover.jpg").is_file()
    assert (out / "media/images/cover.width-32.jpg").is_file()
    assert (media / document.file.name).is_file()
    assert not (out / "media/documents").exists()
    assert not (out / "media/stray.txt").exists()


def test_a_bake_loads_each_listed_post_once(
    tree, page_store, keep_connection, tmp_path, settings, monkeypatch
):
    posts = make_column(tree, 6)
    loads = Counter()
    real = frame.remembered_each

    def spying(request, keys, build_missing, **options):
        def build(missing):
            loads.update(key[1] for key in missing if key[0] == "listed-post")
            return build_missing(missing)

        return real(request, keys, build, **options)

    monkeypatch.setattr(frame, "remembered_each", spying)
    frame.forget()
    # Fewer pieces held than posts listed: a crawl within the serving bound reloads them.
    monkeypatch.setattr(frame, "MAX_PER_ITEM", 3)
    settings.BYLINE_POSTS_PER_PAGE = 2
    out = tmp_path / "site"
    files = bake(out)
    # Each post is on its blog's, its author's, its tag's and its month's listings.
    for listing in ("authors/scott-bekker/index.page-3.html", "tags/microsoft/index.page-2.html"):
        assert listing in files
    assert set(loads) == {post.pk for post in posts}
    assert max(loads.values()) == 1, loads
    assert frame.MAX_PER_ITEM == 3


# Pieces of markup a link is made of, and what could be mistaken for one.
MARKUP = st.lists(
    st.sampled_from(
        [b"href", b"src", b"srcset", b"hr", b"=", b" ", b"\n", b'"', b"'", b"<", b">", b"/a", b"x"]
    ),
    max_size=40,
).map(b"".join)


@given(MARKUP)
# A word inside a link found is not looked at again, as with findall.
@example(b'<a href="src="x">')
@example(b"<img src='/a/href=' alt=\"href='b'\">")
def test_links_are_found_as_the_regular_expression_finds_them(body):
    assert found_links(body) == LINK.findall(body)


def test_links_followed_are_the_sites_own_only():
    """links_in follows what is on the baked host, whatever way the link is written, and
    passes over other sites' links (share links) without parsing or keeping them."""
    from byline.pagecache.bake import links_in

    body = b"""
    <a href="/blogs/">Blogs</a> <a href="#main">skip</a> <a href="page/2/">relative</a>
    <a href="http://news.example.com/authors/">own, absolute</a>
    <a href="HTTPS://NEWS.EXAMPLE.COM/tags/x/">own, upper case</a>
    <a href="https://news.example.com:8443/other/">another port</a>
    <a href="https://user@news.example.com/x/">with a user</a>
    <a href="https://twitter.com/intent/tweet?url=https%3A%2F%2Fnews.example.com%2F">share</a>
    <a href="https://news.example.com.evil.test/">look-alike</a>
    <a href="https://news.example.com?page=2">query, no path</a>
    <a href="mailto:?subject=x">mail</a> <img src="//news.example.com/feed/">
    <a href="/%61dmin/">the admin, encoded</a>
    """
    memo: dict = {}
    found = links_in(
        body, "text/html", base="/blogs/x/", host="news.example.com", scheme="http", memo=memo
    )
    assert found == [
        ("/blogs/", ""),
        ("/blogs/x/", ""),
        ("/blogs/x/page/2/", ""),
        ("/authors/", ""),
        ("/tags/x/", ""),
        ("", "page=2"),
        ("/feed/", ""),
    ]
    assert not any(b"twitter" in raw or b"evil" in raw for raw in memo)


def test_a_post_with_a_non_ascii_slug_is_baked_at_its_decoded_path(
    site, tree, page_store, keep_connection, tmp_path
):
    """WordPress columns in French or German have slugs like "café-crème": the post's links
    percent-encode it, and its file is where a web server looks for the decoded path."""
    post = make_post(tree.blog, title="Café crème", slug="café-crème", tags=["économie"])
    assert post.url == "/blogs/bekkers-blog/2011/07/caf%C3%A9-cr%C3%A8me/"
    files = bake(tmp_path / "site")
    for name in ("blogs/bekkers-blog/2011/07/café-crème/index.html", "tags/économie/index.html"):
        assert name in files, name
        assert "Café crème" in (tmp_path / "site" / name).read_text()
    assert not any("%" in name for name in files)
