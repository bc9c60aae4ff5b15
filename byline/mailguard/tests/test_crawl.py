"""Crawl the whole demo site as a harvester would and find no author's address anywhere.

Every page linked from the home page (and from those pages, and so on), every feed and sitemap
the site offers, robots.txt and the per-blog, per-author and per-tag feeds: each response is
decoded the way a harvester decodes (character references, JSON escapes, percent-encoding)
and searched for addresses.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from byline.blogs.models import Author, BlogPage
from byline.demo.reference import POST_SLUG, load_reference_content
from byline.mailguard.tests.harvest import harvest, harvester_view
from tests.factories import make_post

pytestmark = pytest.mark.django_db

SEEDS = ["/", "/feed/", "/atom/", "/feed.json", "/sitemap.xml", "/robots.txt"]
FEED_SUFFIXES = ["feed/", "atom/", "feed.json"]
PER_SECTION = ["/blogs/bekkers-blog/", "/blogs/news/", "/authors/scott-bekker/", "/tags/microsoft/"]
SKIP = ("/admin/", "/static/", "/media/", "/documents/")
# Any URL in any response: href/src attributes, <loc> and <link> in XML, "url" in JSON.
LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)|<(?:loc|link|id)>([^<]+)<|"url":\s*"([^"]+)\"""")
LIMIT = 400


def crawl(client) -> dict[str, tuple[int, str, str]]:
    """URL -> (status, content type, body) for everything reachable."""
    queue = deque(SEEDS + [section + suffix for section in PER_SECTION for suffix in FEED_SUFFIXES])
    seen: dict[str, tuple[int, str, str]] = {}
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = response.content.decode(response.charset or "utf-8", errors="replace")
        seen[url] = (response.status_code, response.get("Content-Type", ""), body)
        links = [response["Location"]] if response.has_header("Location") else []
        links += [next(group for group in match.groups() if group) for match in LINK.finditer(body)]
        for link in links:
            link = link.replace("&amp;", "&").strip()
            parts = urlsplit(urljoin(f"http://testserver{url}", link))
            if parts.netloc != "testserver" or parts.path.startswith(SKIP):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def assert_no_address(pages, allowed=frozenset()):
    for url, (status, _content_type, body) in pages.items():
        assert status < 500, url
        assert harvest(body) <= allowed, (url, harvest(body))
        assert "sbekker" not in harvester_view(body).lower(), url


def test_reference_site_shows_no_address_anywhere(client):
    load_reference_content()
    pages = crawl(client)
    assert_no_address(pages)
    # The crawl reached what matters: the post, its author, and the feeds and sitemap there are.
    post_url = f"/blogs/bekkers-blog/2011/07/{POST_SLUG}/"
    assert pages[post_url][0] == 200
    assert 'data-mailguard-lead="e-mail me at">write to</span> <a' in pages[post_url][2]
    assert pages["/authors/scott-bekker/"][0] == 200
    assert pages["/authors/scott-bekker/contact/"][0] == 200
    kinds = {
        content_type.split(";")[0] for status, content_type, _ in pages.values() if status == 200
    }
    assert "text/html" in kinds


def test_addresses_written_every_way_stay_hidden_on_every_page(client):
    """The reference site plus what editors might type: addresses in a title, an excerpt, a
    body (mailto links, split by references or percent-encoding), a bio; and one author whose
    address the editor made public, which is the only one left."""
    load_reference_content()
    bekker = Author.objects.get(slug="scott-bekker")
    Author.objects.filter(slug="staff").update(
        email="newsdesk@example.org", bio="Tips to tips@example.org or newsdesk@example.org."
    )
    letters = Author.objects.create(
        name="Letters", slug="letters", email="letters@example.com", email_is_public=True
    )
    body = [
        (
            "paragraph",
            '<p>Mail <a href="mailto:sbekker@example.com?subject=Ballmer">sbekker@example.com</a>'
            ', sbekker&#64;example.com, <a href="mailto:sbekker%40example.com">me</a>, '
            "tips@example.org or letters@example.com.</p>",
        )
    ]
    make_post(
        BlogPage.objects.get(slug="bekkers-blog"),
        title="Ask sbekker@example.com anything",
        slug="ask-me",
        excerpt="Questions to sbekker@example.com or newsdesk@example.org, please.",
        body=body,
        authors=[bekker, letters],
        tags=["Microsoft"],
    )
    pages = crawl(client)
    assert "/blogs/bekkers-blog/2011/07/ask-me/" in pages
    assert "/authors/staff/" in pages
    assert_no_address(pages, allowed={"letters@example.com"})
    assert any("letters@example.com" in body for _, _, body in pages.values())
