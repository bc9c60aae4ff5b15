"""A feed opened in chromium is a readable page (the feed's XSLT stylesheet), and the same
bytes still parse as a feed for feed readers (feedparser)."""

import feedparser
import pytest

from tests.browser.reader_site import build_reader_site

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("path", ["/feed/", "/atom/", "/blogs/bekkers-blog/feed/"])
def test_feed_in_a_browser_shows_a_heading_and_the_post_titles(live_server, page, path):
    build_reader_site()
    # What a feed reader gets: the bytes as sent (the tab's response holds the page made).
    raw = page.request.get(f"{live_server.url}{path}")
    assert raw.headers["content-type"] == "application/xml; charset=utf-8"
    parsed = feedparser.parse(raw.body())
    assert not parsed.bozo, parsed.get("bozo_exception")
    titles = [entry.title for entry in parsed.entries]
    assert "Why Partners Like Steve Ballmer" in titles

    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    # The browser made a page of it: a heading naming the feed and each post as a link.
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == parsed.feed.title
    shown = page.locator(".post-summary-title a").all_inner_texts()
    assert shown == titles
    link = page.get_by_role("link", name="Why Partners Like Steve Ballmer")
    assert link.get_attribute("href") == next(
        entry.link for entry in parsed.entries if entry.title == "Why Partners Like Steve Ballmer"
    )
    # Styled by the site's own stylesheet (a same-origin file the policy allows).
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == (
        "rgb(255, 254, 251)"
    )
