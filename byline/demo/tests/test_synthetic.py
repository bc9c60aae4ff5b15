"""Synthetic posts: written in date order and searchable as soon as they are added."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from byline.blogs.models import PostPage
from byline.demo.synthetic import WORDS, add_synthetic_posts, index_posts
from tests.factories import build_site_tree

pytestmark = pytest.mark.django_db


def synthetic():
    return PostPage.objects.filter(slug__startswith="synthetic-")


def test_posts_are_in_the_search_index_without_update_index(client):
    build_site_tree()
    add_synthetic_posts(30)
    from modelsearch.conf import get_app_config

    entries = get_app_config().get_model("IndexEntry").objects
    ids = {int(object_id) for object_id in entries.values_list("object_id", flat=True)}
    assert set(synthetic().values_list("pk", flat=True)) <= ids
    # Every synthetic body is drawn from WORDS; the first word of the list is in most posts.
    response = client.get("/search/", {"q": WORDS[0]})
    assert response.status_code == 200
    assert len(response.context["outcome"].posts) > 0
    # The author's name is indexed through the byline, as update_index would.
    author = synthetic().first().authors[0]
    found = client.get("/search/", {"q": author.name.split()[-1]}).context["outcome"].posts
    assert found


def test_ids_grow_with_the_date():
    build_site_tree()
    add_synthetic_posts(25)
    dates = list(synthetic().order_by("pk").values_list("date", flat=True))
    assert dates == sorted(dates)
    assert len({date.year for date in dates}) > 5  # still spread over the fifteen years


def test_bulk_index_matches_wagtails_own():
    """index_posts writes what Wagtail's update_index would: same rows, same text."""
    build_site_tree()
    add_synthetic_posts(6)
    from modelsearch.conf import get_app_config

    entries = get_app_config().get_model("IndexEntry").objects.order_by("object_id")
    fields = ["object_id", "title", "autocomplete"]
    bulk = list(entries.values_list(*fields))
    backend = get_search_backend()
    for post in synthetic():
        backend.delete(post)
        backend.add(post)
    assert list(entries.values_list(*fields)) == bulk


def test_index_queries_do_not_grow_with_the_batch():
    """Indexing new posts costs the same few queries for 2 posts or 12."""
    from modelsearch.conf import get_app_config

    build_site_tree()
    add_synthetic_posts(12)
    pks = list(synthetic().order_by("pk").values_list("pk", flat=True))
    entries = get_app_config().get_model("IndexEntry").objects
    entries.all().delete()
    with CaptureQueriesContext(connection) as few:
        index_posts(pks[:2])
    entries.all().delete()
    with CaptureQueriesContext(connection) as many:
        index_posts(pks)
    assert len(many) == len(few)
