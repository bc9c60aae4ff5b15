"""The Google News sitemap is kept in the page store and purged when a post is published,
edited or withdrawn, like the other sitemaps (it is in the site collection)."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import make_post

pytestmark = pytest.mark.django_db

NEWS = "/sitemap-news.xml"


def test_stored_then_fresh_after_publish_edit_and_unpublish(
    reader, tree, django_capture_on_commit_callbacks
):
    first = make_post(tree.blog, title="First today", date=timezone.now())
    reader.get(NEWS)
    assert reader.get(NEWS).state == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        second = make_post(
            tree.blog, title="Second today", date=timezone.now() - datetime.timedelta(hours=1)
        )
    answer = reader.get(NEWS)
    assert answer.state != "hit"
    assert "Second today" in answer.text
    assert reader.get(NEWS).state == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        first.title = "First today, corrected"
        first.save_revision().publish()
    assert "First today, corrected" in reader.get(NEWS).text

    with django_capture_on_commit_callbacks(execute=True):
        second.unpublish()
    assert "Second today" not in reader.get(NEWS).text
