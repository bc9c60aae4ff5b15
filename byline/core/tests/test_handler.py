"""A reader's request works out its host once and refuses a host not allowed every time
(byline.core.handler)."""

import io

import pytest
from django.core.exceptions import DisallowedHost
from django.http import request as django_request

from byline.core.handler import ReaderHandler, ReaderRequest
from tests.factories import build_site_tree, make_post


def _environ(path: str, host: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }


@pytest.fixture
def hosts_checked(monkeypatch):
    """The hosts Django checked against ALLOWED_HOSTS."""
    checked = []
    validate_host = django_request.validate_host

    def counted(host, allowed_hosts):
        checked.append(host)
        return validate_host(host, allowed_hosts)

    monkeypatch.setattr(django_request, "validate_host", counted)
    return checked


def test_a_request_checks_its_host_once(hosts_checked, settings):
    settings.ALLOWED_HOSTS = ["news.example.com"]
    request = ReaderRequest(_environ("/", "news.example.com"))
    assert [request.get_host() for _ in range(3)] == ["news.example.com"] * 3
    assert hosts_checked == ["news.example.com"]


def test_a_host_not_allowed_is_refused_every_time(hosts_checked, settings):
    settings.ALLOWED_HOSTS = ["news.example.com"]
    request = ReaderRequest(_environ("/", "evil.example.net"))
    for _ in range(2):
        with pytest.raises(DisallowedHost):
            request.get_host()
    assert hosts_checked == ["evil.example.net", "evil.example.net"]


@pytest.mark.django_db
def test_a_post_page_through_the_handler_checks_its_host_once(
    hosts_checked, settings, keep_connection
):
    settings.ALLOWED_HOSTS = ["localhost"]
    tree = build_site_tree()
    post = make_post(tree.blog, title="Why Partners Like Steve Ballmer", slug="why")
    chunks = []
    response = ReaderHandler()(_environ(post.url, "localhost"), lambda *args: None)
    chunks.extend(response)
    response.close()
    assert response.status_code == 200
    assert b"Why Partners Like Steve Ballmer" in b"".join(chunks)
    # A post page asks for its host about twenty times (pieces' keys, links, feeds).
    assert hosts_checked == ["localhost"]
