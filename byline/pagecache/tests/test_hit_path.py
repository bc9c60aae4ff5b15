"""The hit path keeps what it can between requests: settings, keys, answer headers. These
tests check that nothing it keeps outlives what it was worked out from."""

import pytest

from byline.pagecache import keys
from byline.pagecache.keys import page_key
from tests.factories import make_post

pytestmark = pytest.mark.django_db

BASE = {"REQUEST_METHOD": "GET", "HTTP_HOST": "localhost", "QUERY_STRING": ""}


@pytest.fixture
def post(tree):
    return make_post(tree.blog, title="Kept headers", authors=[tree.author])


def test_a_changed_setting_reaches_the_next_hit(reader, post, settings):
    reader.get(post.url)
    assert "s-maxage=60" in reader.get(post.url).headers["cache-control"]
    settings.BYLINE_PAGECACHE_CDN_MAX_AGE = 7
    hit = reader.get(post.url)
    assert hit.state == "hit" and "s-maxage=7," in hit.headers["cache-control"]
    settings.BYLINE_PAGECACHE = False
    assert "x-byline-cache" not in reader.get(post.url).headers


def test_hits_in_each_coding_keep_their_own_headers(reader, post):
    reader.get(post.url)
    for _ in range(2):  # the second round answers from the headers kept with the entry
        gz = reader.get(post.url, HTTP_ACCEPT_ENCODING="gzip")
        plain = reader.get(post.url)
        assert gz.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain.headers
        assert int(gz.headers["content-length"]) == len(gz.body) < len(plain.body)
        assert int(plain.headers["content-length"]) == len(plain.body)
        assert gz.headers["etag"] != plain.headers["etag"]
    head = reader.request("HEAD", post.url)
    assert head.body == b"" and head.headers["content-length"] == plain.headers["content-length"]
    not_modified = reader.get(post.url, HTTP_IF_NONE_MATCH=plain.headers["etag"])
    assert not_modified.status == 304 and "content-length" not in not_modified.headers


def test_the_remembered_keys_stay_bounded(page_store):
    for n in range(keys.RECENT_KEYS + 10):
        assert page_key({**BASE, "PATH_INFO": f"/p/{n}/"}) is not None
    assert len(keys._recent) <= keys.RECENT_KEYS


def test_an_address_too_long_to_store_is_not_remembered_either(page_store):
    keys._recent.clear()
    assert page_key({**BASE, "PATH_INFO": "/" + "a" * 5000}) is None
    assert page_key({**BASE, "PATH_INFO": "/a/", "QUERY_STRING": "page=1&" + "x" * 5000}) is None
    assert page_key({**BASE, "PATH_INFO": "/a/", "HTTP_HOST": "h" * 5000}) is None
    assert keys._recent == {}


def test_a_remembered_key_still_obeys_method_and_cookies(page_store, settings):
    environ = {**BASE, "PATH_INFO": "/a/"}
    assert page_key(environ) is not None
    assert page_key({**environ, "REQUEST_METHOD": "POST"}) is None
    assert page_key({**environ, "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}=x"}) is None
    assert page_key({**environ, "HTTP_AUTHORIZATION": "Basic eDp5"}) is None
    assert page_key({**environ, "HTTP_X_FORWARDED_PROTO": "https"}) == page_key(environ)
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert page_key({**environ, "HTTP_X_FORWARDED_PROTO": "https"}) != page_key(environ)
    settings.BYLINE_PAGECACHE_EXEMPT_PATHS = ["/a/"]
    assert page_key(environ) is None
