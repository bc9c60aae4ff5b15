"""The site's icon: at /favicon.ico, where clients look unasked, and linked from every page."""

import lxml.html
import pytest

from tests.factories import build_site_tree


@pytest.fixture
def static_files(settings):
    """Whitenoise serving the source files (as under BYLINE_DEBUG): the tests have no
    collectstatic copy to serve."""
    settings.WHITENOISE_USE_FINDERS = True


def fetch(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_favicon_ico_leads_to_the_static_icon(client, static_files):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    icon, body = fetch(client, response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file's header: reserved 0, type 1 (icon)


def test_favicon_ico_answers_get_and_head_only(client):
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
def test_pages_link_icons_that_exist(client, static_files):
    """The SVG for browsers that take one, the ICO for the rest; both served."""
    build_site_tree()
    page = lxml.html.fromstring(client.get("/").content)
    links = {link.get("href"): link.get("type") for link in page.xpath("//head/link[@rel='icon']")}
    assert links == {"/static/img/favicon.ico": None, "/static/img/favicon.svg": "image/svg+xml"}
    for href, declared in links.items():
        icon, body = fetch(client, href)
        assert icon.status_code == 200, href
        assert icon["Content-Type"].startswith(declared or "image/"), href
        assert body, href
