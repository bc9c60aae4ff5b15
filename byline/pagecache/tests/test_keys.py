"""Keys of requests before Django runs: one per site whatever the Host header's spelling,
none for a host Django would refuse, and ?page=1 the plain page's (hypothesis for hosts)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from byline.pagecache import keys
from byline.pagecache.keys import bake_key, normal_host, page_key

BASE = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "/blogs/bekkers-blog/",
    "QUERY_STRING": "",
    "SERVER_PORT": "8000",
    "wsgi.url_scheme": "http",
}
ALLOWED = ["127.0.0.1", "localhost", "[::1]", ".example.com"]


@pytest.fixture(autouse=True)
def allowed_hosts(settings):
    settings.BYLINE_PAGECACHE = True
    settings.ALLOWED_HOSTS = ALLOWED
    settings.DEBUG = False
    keys.reset_config()
    yield
    keys.reset_config()


def key_for(host: str, **environ) -> keys.PageKey | None:
    return page_key({**BASE, "HTTP_HOST": host, **environ})


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["LOCALHOST", "localhost.", "LocalHost.", "localhost:80", "localhost:0080"], "localhost"),
        (["127.0.0.1:08000", "127.0.0.1:0008000"], "127.0.0.1:8000"),
        (["[::1]:80", "[::1]:00080"], "[::1]"),
        (["EXAMPLE.COM", "example.com.", "Example.Com:80"], "example.com"),
    ],
)
def test_spellings_of_a_host_share_its_key_and_only_the_plain_one_is_stored(spellings, canonical):
    plain = key_for(canonical)
    assert plain.storable and plain.host == canonical
    for spelling in spellings:
        variant = key_for(spelling)
        assert variant.key == plain.key, spelling
        assert not variant.storable, spelling


def test_the_default_port_follows_the_scheme():
    assert key_for("localhost:443", **{"wsgi.url_scheme": "https"}).host == "localhost"
    assert key_for("localhost:443").host == "localhost:443"
    assert key_for("localhost:80", **{"wsgi.url_scheme": "https"}).host == "localhost:80"


def test_each_port_keys_apart_and_is_named_for_the_storing_middleware():
    """Django accepts any port in Host, and a page's links carry it: each port keys apart,
    and the storing middleware keeps a render only on the server's own (test_flood.py)."""
    assert key_for("127.0.0.1:8000").port == key_for("127.0.0.1:0008000").port == "8000"
    assert key_for("127.0.0.1").port == key_for("127.0.0.1:80").port == ""
    for host, port in (("[::1]:7", "7"), ("localhost:0", "0"), ("localhost:99999", "99999")):
        assert key_for(host).port == port, host
    assert len({key_for(f"127.0.0.1:{port}").key for port in range(1, 50)}) == 49


def test_hosts_allowed_only_through_a_pattern_are_served_but_never_stored(settings):
    assert key_for("example.com").storable
    for host in ("www.example.com", "a1.example.com", "x.y.example.com"):
        key = key_for(host)
        assert key is not None and not key.storable, host
    settings.ALLOWED_HOSTS = ["*"]
    assert not key_for("anything.example").storable


def test_the_debug_default_hosts_apply_when_allowed_hosts_is_empty(settings):
    settings.ALLOWED_HOSTS = []
    settings.DEBUG = True
    assert key_for("localhost").storable
    assert not key_for("news.localhost").storable
    assert key_for("example.com") is None
    settings.DEBUG = False
    assert key_for("localhost") is None


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "localhost:",
        "localhost..",
        "local host",
        "localhost/..",
        "localhost:80:80",
        "[::1",
        "::1",
        "localhost:-1",
        "localhost:+80",
        "user@localhost",
        "localhost\x00",
        "",
        "examplexcom",
        "evilexample.com",
    ],
)
def test_no_key_for_a_host_django_refuses(host):
    assert key_for(host) is None


def test_page_one_is_the_plain_page_and_other_pages_keep_their_number():
    plain = key_for("localhost")
    first = key_for("localhost", QUERY_STRING="page=1")
    assert first.key == plain.key and first.query == "" and not first.storable
    second = key_for("localhost", QUERY_STRING="page=2")
    assert second.key != plain.key and second.query == "page=2" and second.storable


def test_bake_keys_are_the_keys_of_the_plain_host():
    for host in ("localhost", "LOCALHOST.", "localhost:80"):
        assert bake_key("/blogs/", host=host) == key_for("localhost", PATH_INFO="/blogs/").key
    assert bake_key("/", "page=1", host="localhost") == bake_key("/", host="localhost")


def django_host(host: str) -> str | None:
    """The host Django reads from this header, or None for a 400."""
    request = HttpRequest()
    request.META = {"HTTP_HOST": host, "SERVER_NAME": "localhost", "SERVER_PORT": "8000"}
    try:
        return request.get_host()
    except DisallowedHost:
        return None


NAMES = ["localhost", "127.0.0.1", "[::1]", "example.com", "www.example.com", "evil.example"]


@st.composite
def host_headers(draw) -> str:
    """Hosts as a flood would spell them: known names in any case, with trailing dots and
    ports with leading zeros, or arbitrary text from the characters hosts are made of."""
    if draw(st.booleans()):
        return draw(st.text(alphabet="lLoOcaAhstxXe.:[]0189-_ @/", max_size=24))
    name = draw(st.sampled_from(NAMES))
    name = "".join(c.upper() if draw(st.booleans()) else c for c in name)
    name += "." * draw(st.integers(0, 2))
    if draw(st.booleans()):
        name += ":" + "0" * draw(st.integers(0, 3)) + str(draw(st.integers(0, 70000)))
    return name


PROPERTY = hypothesis_settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(host=host_headers())
def test_a_key_exists_exactly_where_django_accepts_the_host_and_is_the_plain_hosts(host):
    key = key_for(host)
    accepted = django_host(host)
    # Never a stored page for a host Django answers with 400 (and never a render refused
    # for one it accepts: those go to Django anyway, keyed).
    assert (key is None) == (accepted is None)
    if key is None:
        return
    plain = key_for(key.host)
    assert plain.key == key.key and plain.host == key.host
    assert normal_host(key.host, "http") == normal_host(host, "http")
    if key.storable:
        # Only the plain spelling is ever stored, so its links name the host as keyed.
        assert host == key.host == accepted


@pytest.mark.parametrize(
    ("query", "read_as"),
    [
        ("utm_source=newsletter&utm_medium=email&utm_campaign=spring", ""),
        ("fbclid=IwAR2x" + "Q" * 180, ""),
        ("gclid=abc&_ga=2.1.3", ""),
        ("page=2&utm_source=x", "page=2"),
        ("utm_source=x&page=2&", "page=2"),
        ("page=1&fbclid=x", ""),
    ],
)
def test_tracking_parameters_are_read_as_the_address_without_them(query, read_as):
    key = key_for("localhost", QUERY_STRING=query)
    plain = key_for("localhost", QUERY_STRING=read_as)
    assert key.key == plain.key and key.query == plain.query
    assert key.dropped and not plain.dropped
    # ?page=1 is the plain page's and its render is not stored, with or without them.
    assert key.storable == (not query.startswith("page=1&")) and plain.storable


@pytest.mark.parametrize(
    "query",
    [
        "utm_source=x&q=budget",  # a parameter the page may read
        "p=123&utm_source=x",  # WordPress's ?p=ID, which redirects
        "UTM_SOURCE=x",  # names are matched as written
        "utm%5Fsource=x",
        "page=02&utm_source=x",
        "utm_source=" + "x" * keys.MAX_TRACKED_QUERY,
    ],
)
def test_a_query_with_anything_else_goes_to_django(query):
    assert key_for("localhost", QUERY_STRING=query) is None


def test_the_ignored_parameters_are_a_setting(settings):
    settings.BYLINE_PAGECACHE_IGNORED_PARAMETERS = ["ref", "pk_*"]
    keys.reset_config()
    assert key_for("localhost", QUERY_STRING="ref=home&pk_campaign=x").dropped
    assert key_for("localhost", QUERY_STRING="utm_source=x") is None


def test_distinct_tracking_values_share_one_remembered_key():
    keys._recent.clear()
    for number in range(50):
        assert key_for("localhost", QUERY_STRING=f"fbclid={number}").dropped
    assert len(keys._recent) == 1


def test_the_nginx_example_ignores_the_same_parameters(settings):
    """docs/nginx.conf answers a bake's page for tracking parameters alone by its own list."""
    conf = (Path(__file__).resolve().parents[3] / "docs" / "nginx.conf").read_text()
    names = re.search(r'"~\^\(\?:\(\?:([^)]*)\)=', conf).group(1).split("|")
    in_nginx = {name.replace("[^=&]*", "*") for name in names}
    assert in_nginx == set(settings.BYLINE_PAGECACHE_IGNORED_PARAMETERS)
