"""RSS 2.0 comment feeds per post and per blog, read with feedparser; no e-mail addresses."""

from __future__ import annotations

import datetime

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from byline.comments.models import CommentStatus
from tests.factories import make_post

from .conftest import add_comment

pytestmark = pytest.mark.django_db


def test_post_feed(client, post):
    older = add_comment(
        post,
        name="Ann",
        email="ann@example.com",
        body="First <b>x</b>",
        created=timezone.now() - datetime.timedelta(hours=2),
    )
    newer = add_comment(post, name="Bob", email="bob@example.com", body="Second")
    add_comment(post, body="Held", status=CommentStatus.PENDING)
    response = client.get(f"/comments/post/{post.pk}/feed/")
    assert response.status_code == 200
    # application/xml, which a browser shows as a page (byline/core/feedwriters.py says why).
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    raw = response.content.decode()
    assert '<?xml-stylesheet type="text/xsl"' in raw
    assert '<?byline-feed-page items="comments"' in raw
    assert "@example.com" not in raw
    feed = feedparser.parse(response.content)
    assert feed.version == "rss20" and not feed.bozo
    assert feed.feed.title == f"Comments on “{post.title}”"
    assert [e.link for e in feed.entries] == [
        f"http://testserver{post.url}#comment-{newer.pk}",
        f"http://testserver{post.url}#comment-{older.pk}",
    ]
    assert feed.entries[1].author == "Ann"
    assert feed.entries[1].summary == "<p>First &lt;b&gt;x&lt;/b&gt;</p>"


def test_blog_feed_covers_its_posts_only(client, tree, post):
    other_post = make_post(tree.blog)
    add_comment(post, body="On one")
    add_comment(other_post, body="On two")
    add_comment(make_post(tree.blog, live=False), body="On a draft")
    response = client.get("/blogs/bekkers-blog/comments/feed/")
    feed = feedparser.parse(response.content)
    assert sorted(e.summary for e in feed.entries) == ["<p>On one</p>", "<p>On two</p>"]
    assert "@example.com" not in response.content.decode()


def test_feed_queries_do_not_grow_with_items(client, tree, post):
    add_comment(post)
    client.get("/blogs/bekkers-blog/comments/feed/")
    with CaptureQueriesContext(connection) as one:
        client.get("/blogs/bekkers-blog/comments/feed/")
    for _ in range(10):
        add_comment(make_post(tree.blog))
    with CaptureQueriesContext(connection) as many:
        client.get("/blogs/bekkers-blog/comments/feed/")
    assert len(many) == len(one)


def test_unknown_post_or_blog_is_404(client, tree):
    assert client.get("/comments/post/999999/feed/").status_code == 404
    assert client.get("/blogs/nope/comments/feed/").status_code == 404
    draft = make_post(tree.blog, live=False)
    assert client.get(f"/comments/post/{draft.pk}/feed/").status_code == 404
