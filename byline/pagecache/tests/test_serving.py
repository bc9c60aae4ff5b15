"""Hits, misses, validators, codings and bypasses of the store-serving layer."""

import gzip

import brotli
import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(tree):
    return make_post(
        tree.blog,
        title="Why partners like Steve Ballmer",
        authors=[tree.author],
        tags=["microsoft"],
        body=[("paragraph", "<p>Write to sbekker@example.com about it.</p>")],
    )


def test_a_page_is_rendered_once_then_served_from_the_store(reader, post):
    first = reader.get(post.url)
    assert first.status == 200 and first.state == "miss"
    second = reader.get(post.url)
    assert second.status == 200 and second.state == "hit"
    assert second.body == first.body
    assert b"Why partners like Steve Ballmer" in second.body


def test_a_hit_runs_no_query(reader, post, django_assert_num_queries):
    reader.get(post.url)
    with django_assert_num_queries(0):
        answer = reader.get(post.url)
    assert answer.state == "hit"


def test_the_stored_page_is_mailguards_output_with_every_security_header(reader, post):
    reader.get(post.url)
    hit = reader.get(post.url)
    assert hit.state == "hit"
    assert b"sbekker@example.com" not in hit.body
    assert "default-src 'self'" in hit.headers["content-security-policy"]
    assert hit.headers["x-frame-options"] == "DENY"
    assert hit.headers["x-content-type-options"] == "nosniff"
    assert hit.headers["content-type"].startswith("text/html")


def test_codings_are_precompressed_and_chosen_by_accept_encoding(reader, post):
    plain = reader.get(post.url).body
    br = reader.get(post.url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert br.headers["content-encoding"] == "br"
    assert brotli.decompress(br.body) == plain
    gz = reader.get(post.url, HTTP_ACCEPT_ENCODING="gzip")
    assert gz.headers["content-encoding"] == "gzip"
    assert gzip.decompress(gz.body) == plain
    refused = reader.get(post.url, HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0")
    assert "content-encoding" not in refused.headers and refused.body == plain
    assert br.headers["vary"] == "Accept-Encoding"
    assert int(gz.headers["content-length"]) == len(gz.body)
    assert len({br.headers["etag"], gz.headers["etag"], refused.headers["etag"]}) == 3


def test_etag_and_last_modified_answer_304(reader, post):
    first = reader.get(post.url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert reader.get(post.url, HTTP_IF_NONE_MATCH=etag).status == 304
    assert reader.get(post.url, HTTP_IF_NONE_MATCH=f"W/{etag}").status == 304
    assert reader.get(post.url, HTTP_IF_MODIFIED_SINCE=modified).status == 304
    assert reader.get(post.url, HTTP_IF_NONE_MATCH="*").status == 304  # the page exists
    not_modified = reader.get(post.url, HTTP_IF_NONE_MATCH=f'"x", {etag}')
    assert not_modified.status == 304 and not_modified.body == b""
    assert not_modified.headers["etag"] == etag
    # If-None-Match wins over If-Modified-Since.
    assert (
        reader.get(post.url, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=modified).status
        == 200
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_IF_NONE_MATCH": "garbage"},
        {"HTTP_IF_NONE_MATCH": '"' * 9000},
        {"HTTP_IF_NONE_MATCH": "W/"},
        {"HTTP_IF_NONE_MATCH": '"x", *'},  # "*" is the whole field or nothing (RFC 9110)
        {"HTTP_IF_MODIFIED_SINCE": "yesterday-ish"},
        {"HTTP_IF_MODIFIED_SINCE": "Sun, 99 Foo 99999 99:99:99 GMT"},
        {"HTTP_ACCEPT_ENCODING": "br;q=banana, ;;;, gzip;q="},
        {"HTTP_ACCEPT_ENCODING": "x" * 10000},
    ],
)
def test_garbage_validators_and_codings_get_the_page(reader, post, headers):
    reader.get(post.url)
    answer = reader.get(post.url, **headers)
    assert answer.status == 200 and answer.state == "hit"
    assert answer.body


def test_cache_control_suits_cdns(reader, post):
    control = reader.get(post.url).headers["cache-control"]
    assert control == "public, max-age=10, s-maxage=60, stale-while-revalidate=30"


def test_head_is_answered_from_the_store_without_a_body(reader, post):
    reader.get(post.url)
    head = reader.request("HEAD", post.url)
    assert head.status == 200 and head.state == "hit" and head.body == b""
    assert int(head.headers["content-length"]) > 0


def test_a_head_miss_is_not_stored(reader, post):
    head = reader.request("HEAD", post.url)
    assert head.status == 200 and "x-byline-cache" not in head.headers
    assert reader.get(post.url).state == "miss"


def test_pagination_is_stored_per_page_and_other_queries_are_not(reader, tree, settings):
    settings.BYLINE_POSTS_PER_PAGE = 1
    make_post(tree.blog, title="Older")
    make_post(tree.blog, title="Newer", date=None)
    assert reader.get("/blogs/bekkers-blog/?page=2").state == "miss"
    assert reader.get("/blogs/bekkers-blog/?page=2").state == "hit"
    for query in ("?page=2&q=x", "?q=x", "?page=02", "?page=x", "?page=2;x"):
        answer = reader.get(f"/blogs/bekkers-blog/{query}")
        assert "x-byline-cache" not in answer.headers, query
        assert answer.status in (200, 404), query


def test_readers_with_tracking_parameters_get_the_stored_page(reader, post):
    """A click from Facebook (a new fbclid each time) or a newsletter (utm_*) is the plain
    address's page: from the store, and kept there when it was not yet."""
    first = reader.get(f"{post.url}?fbclid=IwAR0first")
    assert first.status == 200 and first.state == "miss"
    plain = reader.get(post.url)
    assert plain.state == "hit" and plain.body == first.body
    for query in ("fbclid=IwAR0second", "utm_source=newsletter&utm_medium=email", "gclid=x"):
        answer = reader.get(f"{post.url}?{query}")
        assert answer.state == "hit" and answer.body == plain.body, query


def test_django_never_sees_the_tracking_parameters(reader, tree, settings):
    # The listing's links to its other pages keep the rest of the query: with the tracking
    # parameters there, the stored page would send every reader on with someone's fbclid.
    settings.BYLINE_POSTS_PER_PAGE = 1
    for title in ("Oldest", "Older", "Newer"):
        make_post(tree.blog, title=title)
    answer = reader.get("/blogs/bekkers-blog/?page=2&utm_source=newsletter&fbclid=abc")
    assert answer.status == 200 and answer.state == "miss"
    assert "?page=3" in answer.text
    assert "utm_source" not in answer.text and "fbclid" not in answer.text
    assert reader.get("/blogs/bekkers-blog/?page=2").state == "hit"


def test_a_personal_request_with_tracking_parameters_goes_to_django(reader, post):
    answer = reader.get(f"{post.url}?utm_source=x", HTTP_COOKIE=_editor_cookie())
    assert answer.status == 200 and "x-byline-cache" not in answer.headers
    assert reader.get(post.url).state == "miss"


def _editor_cookie():
    user = User.objects.create_superuser("editor", "editor@example.com", "pw")
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_logged_in_editors_and_personal_cookies_go_to_django(reader, post):
    reader.get(post.url)
    assert reader.get(post.url).state == "hit"
    cookie = _editor_cookie()
    editor = reader.get(post.url, HTTP_COOKIE=cookie)
    assert editor.status == 200 and "x-byline-cache" not in editor.headers
    for cookie in ("csrftoken=abc", "messages=x", "wagtail-preview=1", "broken-cookie"):
        answer = reader.get(post.url, HTTP_COOKIE=cookie)
        assert "x-byline-cache" not in answer.headers, cookie
    # A harmless cookie (analytics) still gets the stored page.
    assert reader.get(post.url, HTTP_COOKIE="_ga=GA1.2.3").state == "hit"
    assert reader.get(post.url, HTTP_AUTHORIZATION="Basic eDp5").state == ""


def test_a_logged_in_render_is_never_stored(reader, post):
    cookie = _editor_cookie()
    # The editor's session is not sent to the layer (say, a proxy dropped the header on the
    # way in but Django still authenticated): the middleware refuses anyway.
    reader.get(post.url, HTTP_COOKIE=cookie)
    assert reader.get(post.url).state == "miss"


def test_posts_and_unknown_methods_go_to_django_and_are_not_stored(reader, post):
    for method in ("POST", "PUT", "DELETE", "PATCH", "BREW", "OPTIONS"):
        answer = reader.request(method, post.url)
        assert answer.status < 500, method
        assert "x-byline-cache" not in answer.headers
    assert reader.get(post.url).state == "miss"


def test_previews_and_the_admin_are_never_stored(reader, post):
    answer = reader.get(f"/admin/pages/{post.pk}/edit/preview/")
    assert "x-byline-cache" not in answer.headers
    assert reader.get("/admin/login/").headers.get("x-byline-cache") is None
    assert reader.get("/search/?q=ballmer").headers.get("x-byline-cache") is None


def test_404_and_redirects_are_not_stored(reader, post, page_store):
    assert reader.get("/blogs/bekkers-blog/2011/07/nothing-here/").status == 404
    assert reader.get("/blogs/bekkers-blog/2011/07/nothing-here/").status == 404
    moved = reader.get(f"/blogs/bekkers-blog/{post.slug}/")
    assert moved.status == 301 and "x-byline-cache" not in moved.headers
    assert reader.get(f"/blogs/bekkers-blog/{post.slug}/").status == 301


def test_a_response_setting_a_cookie_is_not_stored(reader, tree):
    # The author contact form is not a kind of page the store keeps; a page that sets a
    # cookie is refused whatever its kind.
    from django.http import HttpRequest, HttpResponse

    from byline.pagecache.services import storable

    request = HttpRequest()
    request.method = "GET"
    response = HttpResponse("x")
    response.set_cookie("csrftoken", "abc")
    assert not storable(request, response)
    for header in ({"Vary": "Cookie"}, {"Cache-Control": "private"}, {"Cache-Control": "no-store"}):
        response = HttpResponse("x", headers=header)
        assert not storable(request, response), header


@pytest.mark.parametrize(
    "path",
    [
        "/blogs/../admin/",
        "/blogs/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/blogs/bekkers-blog/..%2f..%2f",
        "/blogs//bekkers-blog/",
        "/blogs/bekkers-blog/%00/",
        "/blogs/caf%C3%A9/",
        "/blogs/%ff%fe/",
        "/" + "a" * 5000 + "/",
        "/blogs/bekkers-blog/?" + "page=1&" * 5000,
        "/?%%%%=&&&==",
        "/blogs/bekkers-blog/?page=99999999999999999999",
    ],
)
def test_bad_paths_and_queries_get_a_4xx_or_3xx_and_touch_nothing_outside_the_store(
    reader, tree, path, page_store, tmp_path
):
    answer = reader.get(path)
    assert 200 <= answer.status < 500, path
    assert answer.state in ("", "miss")
    if hasattr(page_store, "root"):
        outside = [p for p in tmp_path.rglob("*") if not p.is_relative_to(page_store.root)]
        assert all(
            p.name in ("media", "cache") or "cache" in p.parts or "media" in p.parts
            for p in outside
        )


def test_long_headers_and_odd_hosts_never_fail(reader, post):
    reader.get(post.url)
    assert reader.get(post.url, HTTP_COOKIE="a=" + "b" * 20000).status == 200
    assert reader.get(post.url, HTTP_USER_AGENT="x" * 20000).state == "hit"
    assert reader.get(post.url, HTTP_HOST="evil.example").status == 400
    assert reader.get(post.url, HTTP_HOST="local host/../x").status == 400
    assert reader.get(post.url, HTTP_HOST="LOCALHOST").state in ("hit", "miss")


def test_feeds_sitemaps_and_listings_are_stored(reader, post):
    for path in (
        "/",
        "/blogs/",
        "/blogs/bekkers-blog/",
        "/blogs/bekkers-blog/archive/",
        "/blogs/bekkers-blog/2011/",
        "/blogs/bekkers-blog/2011/07/",
        "/authors/scott-bekker/",
        "/tags/microsoft/",
        "/feed/",
        "/atom/",
        "/feed.json",
        "/blogs/bekkers-blog/feed/",
        "/authors/scott-bekker/atom/",
        "/tags/microsoft/feed.json",
        "/sitemap.xml",
        "/robots.txt",
    ):
        first = reader.get(path)
        assert first.status == 200, path
        assert first.state == "miss", path
        assert reader.get(path).state == "hit", path


@pytest.mark.parametrize("size", [20_000, 70_000, 1_300_000])
def test_brotli_window_fits_the_body_and_loses_nothing(size):
    """The encoder's window is sized to the body (services.compressed): the body comes back
    whole, as small as with the default 4 MB window, also for a body bigger than 64 kB whose
    repeats lie half its length back."""
    from pathlib import Path

    from byline.pagecache.services import compressed

    package = Path(__file__).parents[2]  # byline/: 1.8 MB of source
    text = b"".join(path.read_bytes() for path in sorted(package.rglob("*.py")))
    body = (text[: size // 2] * 3)[:size]
    assert len(body) == size
    bodies = compressed(body, "text/html; charset=utf-8")
    assert brotli.decompress(bodies["br"]) == body
    assert len(bodies["br"]) <= len(brotli.compress(body, quality=6)) * 1.01
