"""Machines' side: a note moves the post's modified date in its JSON-LD and every feed, and a
correction is a schema.org CorrectionComment; a silent republish leaves no such mark."""

import json
import re

import feedparser
import pytest

from byline.corrections.models import CorrectionKind
from byline.corrections.tests.conftest import at

pytestmark = pytest.mark.django_db

FEEDS = ["/feed/", "/blogs/bekkers-blog/atom/", "/authors/scott-bekker/feed/"]


def posting(client, post) -> dict:
    html = client.get(post.url).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = [json.loads(block) for block in blocks]
    return next(item for item in data if item["@type"] in ("BlogPosting", "NewsArticle"))


def test_a_correction_sets_date_modified_and_a_correction_comment(client, post, note):
    note(post, CorrectionKind.CORRECTION, "The launch was in May.", at(2025, 6, 5))
    note(post, CorrectionKind.UPDATE, "Microsoft has replied.", at(2025, 6, 7))
    data = posting(client, post)
    assert data["datePublished"] == "2025-06-02T12:00:00+00:00"
    assert data["dateModified"] == "2025-06-07T12:00:00+00:00"  # the newest note, an update
    # An update adds to the story: it moves the date but corrects nothing.
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The launch was in May.",
            "datePublished": "2025-06-05T12:00:00+00:00",
        }
    ]
    html = client.get(post.url).content.decode()
    assert '<meta property="article:modified_time" content="2025-06-07T12:00:00+00:00"' in html


def test_a_silent_republish_leaves_no_mark(client, post):
    post.title = "Why partners like Steve Ballmer (typo fixed)"
    post.save_revision().publish()
    post.refresh_from_db()
    data = posting(client, post)
    assert data["dateModified"] == data["datePublished"]
    assert "correction" not in data
    for url in FEEDS:
        entry = feedparser.parse(client.get(url).content).entries[0]
        # RSS items carry no updated date then; Atom entries one equal to the published date.
        assert dict.get(entry, "updated", entry.published) == entry.published, url


def test_hostile_text_stays_data_in_the_json_ld(client, post, note):
    note(post, text='</script><script>alert("x")</script>')
    html = client.get(post.url).content.decode()
    assert '<script>alert("x")' not in html
    assert posting(client, post)["correction"][0]["text"] == '</script><script>alert("x")</script>'


def test_every_feed_updates_the_entry_instead_of_adding_one(client, post, note):
    before = {url: feedparser.parse(client.get(url).content) for url in FEEDS}
    note(post, CorrectionKind.CLARIFICATION, "By partners we mean resellers.", at(2025, 6, 9))
    for url in FEEDS:
        after = feedparser.parse(client.get(url).content)
        assert not after.bozo, (url, after.bozo_exception)
        assert [entry.id for entry in after.entries] == [e.id for e in before[url].entries], url
        assert after.entries[0].updated_parsed[:3] == (2025, 6, 9), url
    item = json.loads(client.get("/feed.json").content)["items"][0]
    assert item["date_modified"] == "2025-06-09T12:00:00+00:00"


def test_a_feed_is_not_304_after_a_correction(client, post, note):
    """Last-Modified moves with the note, so If-Modified-Since alone sees the change."""
    first = client.get("/feed/")
    note(post, when=at(2030, 1, 1))
    again = client.get("/feed/", HTTP_IF_MODIFIED_SINCE=first.headers["Last-Modified"])
    assert again.status_code == 200
