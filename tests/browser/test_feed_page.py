"""A feed opened in chromium is a readable page (the feed's XSLT stylesheet), and the same
bytes still parse as a feed for feed readers (feedparser)."""

import datetime

import feedparser
import pytest

from byline.comments.models import CommentStatus, ReaderComment
from tests.browser.reader_site import ReaderSite, build_reader_site

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


def comment_feed(site: ReaderSite) -> str:
    # Markup and an apostrophe typed in, which the feed carries escaped inside HTML.
    ReaderComment.objects.create(
        post=site.post,
        name="Cy Reader",
        email="cy@example.com",
        body="It's <b>not</b> bold & stays text.\n\nA second paragraph.",
        status=CommentStatus.APPROVED,
        created=datetime.datetime(2011, 7, 14, 9, 0, tzinfo=datetime.UTC),
    )
    return f"/comments/post/{site.post.pk}/feed/"


# The feeds linked from every post ("Comments feed (RSS)") and from the footer ("Corrections
# feed"), with what their pages call the items, and the text of the first item.
OTHER_FEEDS = [
    (
        comment_feed,
        "comments",
        "It's <b>not</b> bold & stays text. A second paragraph.",
    ),
    (
        lambda site: "/corrections/feed/",
        "corrections",
        "The keynote was given on July 11, not July 12 as first written.",
    ),
    (
        lambda site: "/corrections/atom/",
        "corrections",
        "The keynote was given on July 11, not July 12 as first written.",
    ),
]


@pytest.mark.parametrize(
    "path_of, items, first_text",
    OTHER_FEEDS,
    ids=["comments", "corrections-rss", "corrections-atom"],
)
def test_comment_and_corrections_feeds_in_a_browser_are_pages_too(
    live_server, page, path_of, items, first_text
):
    path = path_of(build_reader_site())
    raw = page.request.get(f"{live_server.url}{path}")
    assert raw.headers["content-type"] == "application/xml; charset=utf-8"
    parsed = feedparser.parse(raw.body())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries

    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == parsed.feed.title
    # text_content: the section heading is set in capitals by the stylesheet.
    assert page.get_by_role("heading", level=2).text_content() == f"Latest {items}"
    assert page.get_by_role("link", name=f"Read the {items} on the site").count() == 1
    # Each item a link to where it is on the site, with its date and its text, not its markup.
    links = page.locator(".post-summary-title a")
    assert links.all_inner_texts() == [entry.title for entry in parsed.entries]
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        entry.link for entry in parsed.entries
    ]
    assert page.locator(".post-summary-meta").first.inner_text().strip()
    assert page.locator(".post-summary-excerpt").first.inner_text() == first_text
    assert "&amp;" not in page.locator("main").inner_text()
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == (
        "rgb(255, 254, 251)"
    )
