"""The styled feed writers: stylesheet instructions that feed readers ignore, and the page the
XSLT stylesheet makes of a feed (libxslt here, as in Chromium)."""

from __future__ import annotations

import datetime

import feedparser
import pytest
from django.contrib.staticfiles import finders
from lxml import etree

from byline.core.feedwriters import (
    PAGE_ITEMS,
    PAGE_SITE_LINK,
    StyledAtomFeed,
    StyledRssFeed,
)

WHEN = datetime.datetime(2011, 7, 13, 15, 0, tzinfo=datetime.UTC)
# As a comment's body_html comes out of the comments app: escaped, then <p>, <br> and links.
COMMENT_HTML = (
    "<p>It&#x27;s &lt;b&gt;not&lt;/b&gt; bold &amp; fine.</p>"
    '<p>Second<br>line <a href="https://example.com/">https://example.com/</a>.</p>'
)


def write(writer: type, description: str = COMMENT_HTML, **page: str) -> bytes:
    feed = writer(
        title="Comments on “Why Partners”",
        link="https://example.com/why-partners/#comments",
        description="Readers' comments, newest first.",
        feed_url="https://example.com/comments/feed/",
        language="en",
        **page,
    )
    feed.add_item(
        title="Ann on “Why Partners”",
        link="https://example.com/why-partners/#comment-1",
        description=description,
        pubdate=WHEN,
        unique_id="https://example.com/why-partners/#comment-1",
    )
    return feed.writeString("utf-8").encode()


def as_page(body: bytes) -> etree._Element:
    transform = etree.XSLT(etree.parse(finders.find("xsl/feed.xsl")))
    return etree.fromstring(str(transform(etree.fromstring(body))).encode(), etree.HTMLParser())


@pytest.mark.parametrize("writer", [StyledRssFeed, StyledAtomFeed])
def test_instructions_follow_the_declaration_and_readers_still_parse(writer):
    body = write(writer)
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<?xml-stylesheet ')
    assert b'<?byline-feed-page items="posts" site-link="Read the posts on the site"?>' in body
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [entry.title for entry in parsed.entries] == ["Ann on “Why Partners”"]


@pytest.mark.parametrize(
    "writer, date",
    [
        (StyledRssFeed, "string(//p[@class='post-summary-meta'])"),
        (StyledAtomFeed, "string(//time)"),
    ],
)
def test_the_page_names_the_items_and_shows_their_text(writer, date):
    page = as_page(write(writer, **{PAGE_ITEMS: "comments"}))
    assert page.xpath("string(//h1)") == "Comments on “Why Partners”"
    assert page.xpath("string(//h2)") == "Latest comments"
    assert page.xpath("string(//div[@class='feed-about']//a)") == "Read the comments on the site"
    (link,) = page.xpath("//h3/a")
    assert link.text == "Ann on “Why Partners”"
    assert link.get("href") == "https://example.com/why-partners/#comment-1"
    # The HTML's text, as a reader would see it: markup typed in shows as typed.
    assert page.xpath("string(//p[@class='post-summary-excerpt'])") == (
        "It's <b>not</b> bold & fine. Second line https://example.com/."
    )
    assert page.xpath(date) in ("13 Jul 2011", "2011-07-13")


def test_the_site_link_can_be_worded():
    page = as_page(write(StyledRssFeed, **{PAGE_SITE_LINK: "Read the posts and their comments"}))
    assert page.xpath("string(//div[@class='feed-about']//a)") == (
        "Read the posts and their comments"
    )


def test_a_long_description_is_cut_at_a_word_without_a_deep_recursion():
    # Thousands of entities or tags would each be a level of recursion; the page reads a bounded
    # start of the description.
    page = as_page(write(StyledRssFeed, "<p>" + "&amp; " * 5000 + "</p>"))
    text = page.xpath("string(//p[@class='post-summary-excerpt'])")
    # 600 characters: <p>, 99 whole "&amp; " and a split "&am", left out with its word.
    assert text == "& " * 98 + "&…"


def test_a_quote_cannot_break_the_instruction():
    with pytest.raises(ValueError):
        write(StyledRssFeed, **{PAGE_ITEMS: 'say "what"'})
