"""Readers' side: notes on the post page, /corrections/ and its feeds."""

import json
from html import unescape

import feedparser
import pytest
from django.urls import reverse

from byline.corrections.models import CorrectionKind
from byline.corrections.tests.conftest import at
from tests.factories import make_post

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def test_corrections_show_above_the_body_and_updates_at_its_foot(client, post, note):
    note(post, CorrectionKind.CORRECTION, "The launch was in May, not June.", at(2025, 6, 5))
    note(post, CorrectionKind.UPDATE, "Microsoft has since replied.", at(2025, 6, 7))
    html = client.get(post.url).content.decode()
    body = html.index('<div class="post-body">')
    correction = html.index("The launch was in May, not June.")
    update = html.index("Microsoft has since replied.")
    assert correction < body < update
    assert '<time datetime="2025-06-05T12:00:00+00:00">5 June 2025</time>' in html
    assert "<strong>Correction</strong>" in html and "<strong>Update</strong>" in html


def test_the_post_page_loads_its_notes_in_one_query(
    client, post, note, django_assert_max_num_queries
):
    """However many notes a post has, the tag reads them in one query: a post with three
    costs no more queries than a post with one."""
    note(post)
    with django_assert_max_num_queries(1000) as one:
        client.get(post.url)
    note(post, CorrectionKind.CLARIFICATION, when=at(2025, 6, 6))
    note(post, CorrectionKind.UPDATE, when=at(2025, 6, 7))
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(post.url)


def test_a_post_without_notes_shows_none(client, post):
    assert "post-notes" not in client.get(post.url).content.decode()


def test_posts_without_notes_cost_no_query_and_a_new_note_shows_at_once(client, tree, post, note):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = make_post(tree.blog, title="Another post", slug="another", date=at(2025, 6, 3))
    client.get(post.url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(other.url).status_code == 200
    assert not [q for q in captured if "corrections_correction" in q["sql"]]
    note(other, CorrectionKind.CORRECTION, "The date was wrong.", at(2025, 6, 5))
    html = client.get(other.url).content.decode()
    assert "The date was wrong." in html
    assert '"@type":"CorrectionComment"' in html


def test_hostile_html_is_text_on_every_page_and_feed(client, post, note):
    note(post, text=HOSTILE)
    for url in (post.url, "/corrections/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert" in html, url
    for url in ("/corrections/feed/", "/corrections/atom/"):
        feed = client.get(url).content.decode()
        assert "<script>" not in feed and "<img" not in feed
        # Escaped in the HTML a reader renders: the note shows as typed, not as markup.
        assert unescape(feedparser.parse(feed).entries[0].summary) == HOSTILE, url


def test_corrections_page_lists_newest_first_and_links_each_post(client, tree, post, note):
    other = make_post(tree.blog, title="Azure pricing", slug="azure", date=at(2025, 6, 3))
    note(post, text="Older note.", when=at(2025, 6, 5))
    note(other, CorrectionKind.CLARIFICATION, text="Newer note.", when=at(2025, 6, 9))
    response = client.get(reverse("corrections:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Newer note.") < html.index("Older note.")
    assert f'href="{other.url}"' in html and f'href="{post.url}"' in html


def test_corrections_page_leaves_out_posts_readers_cannot_see(client, tree, post, note):
    note(post, text="Shown.")
    hidden = make_post(tree.blog, title="Withdrawn", slug="withdrawn", date=at(2025, 6, 3))
    note(hidden, text="Not shown.")
    hidden.unpublish()
    html = client.get("/corrections/").content.decode()
    assert "Shown." in html and "Not shown." not in html
    assert "Not shown." not in client.get("/corrections/feed/").content.decode()


def test_corrections_page_is_paginated(client, post, note, settings):
    """Three notes at two a page: page 2 holds the oldest, page 3 is a 404."""
    settings.BYLINE_POSTS_PER_PAGE = 2
    for day in (5, 6, 7):
        note(post, text=f"Note of day {day}.", when=at(2025, 6, day))
    first = client.get("/corrections/").content.decode()
    assert "Note of day 7." in first and "Note of day 5." not in first
    assert "Note of day 5." in client.get("/corrections/?page=2").content.decode()
    assert client.get("/corrections/?page=3").status_code == 404
    assert client.get("/corrections/?page=abc").status_code == 404


def test_corrections_feeds_read_back(client, tree, post, note):
    other = make_post(tree.blog, title="Azure pricing", slug="azure", date=at(2025, 6, 3))
    note(post, text="Older note.", when=at(2025, 6, 5))
    note(other, CorrectionKind.UPDATE, text="Newer note.", when=at(2025, 6, 9))
    for url in ("/corrections/feed/", "/corrections/atom/"):
        response = client.get(url)
        assert response.status_code == 200, url
        feed = feedparser.parse(response.content)
        assert not feed.bozo, (url, feed.bozo_exception)
        titles = [entry.title for entry in feed.entries]
        assert titles == ["Update: Azure pricing", "Correction: Why partners like Steve Ballmer"]
        assert feed.entries[0].link == f"http://testserver{other.url}"
        assert feed.entries[0].summary == "Newer note."
        assert feed.entries[0].published_parsed[:3] == (2025, 6, 9)


def test_corrections_json_feed_reads_back(client, tree, post, note):
    """JSON Feed 1.1, as the site's other feeds: the notes newest first, each linking to its
    post, hostile text kept as text; offered on /corrections/."""
    other = make_post(tree.blog, title="Azure pricing", slug="azure", date=at(2025, 6, 3))
    note(post, text="Older note.", when=at(2025, 6, 5))
    note(other, CorrectionKind.UPDATE, text=HOSTILE, when=at(2025, 6, 9))
    response = client.get("/corrections/feed.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://testserver/corrections/feed.json"
    assert [item["title"] for item in feed["items"]] == [
        "Update: Azure pricing",
        "Correction: Why partners like Steve Ballmer",
    ]
    newest = feed["items"][0]
    assert newest["url"] == f"http://testserver{other.url}"
    assert newest["content_text"] == HOSTILE
    assert set(newest) == {"id", "url", "title", "content_text", "date_published", "date_modified"}
    assert newest["date_published"] == "2025-06-09T12:00:00+00:00"
    assert len({item["id"] for item in feed["items"]}) == 2
    html = client.get("/corrections/").content.decode()
    assert 'type="application/feed+json" title="Corrections (JSON Feed)"' in html
