"""Every <time datetime> a reader page writes is one HTML accepts, whatever the moment."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from byline.comments.models import ReaderComment
from byline.core.dates import machine_datetime
from byline.corrections.models import Correction
from tests.factories import build_site_tree, make_post

# HTML's valid date string, or global date and time string with at most three digits of a
# second's fraction (the HTML standard, "dates and times").
VALID = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d))?$")
DATETIME = re.compile(r'<time[^>]*\sdatetime="([^"]*)"')


def test_machine_datetime_drops_the_microseconds_and_keeps_the_zone(settings):
    moment = datetime.datetime(2026, 12, 6, 2, 58, 26, 665752, tzinfo=datetime.UTC)
    assert machine_datetime(moment) == "2026-12-06T02:58:26+00:00"
    assert machine_datetime(datetime.date(2011, 7, 13)) == "2011-07-13"
    assert machine_datetime(None) == ""


@pytest.mark.django_db
def test_a_post_dated_now_and_its_comments_write_valid_times(client):
    """A post published with its date left blank is dated timezone.now(), and a comment
    through the form is created at it: both carry microseconds."""
    tree = build_site_tree()
    now = timezone.now().replace(microsecond=665752)
    post = make_post(tree.blog, authors=[tree.author], date=now, tags=["kittens"])
    ReaderComment.objects.create(
        post=post, name="Bob", email="bob@example.com", body="Hello.", status="approved"
    )
    ReaderComment.objects.filter(post=post).update(created=now)
    Correction.objects.create(post=post, text="A fix.", published_at=now)
    pages = [post.url, "/", tree.blog.url, "/tags/kittens/", "/search/?q=post", "/corrections/"]
    seen = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for value in DATETIME.findall(response.content.decode()):
            seen += 1
            assert VALID.match(value), (url, value)
    assert seen >= len(pages)
