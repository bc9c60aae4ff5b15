"""A page showing a Featured list is kept no longer than the list stays as shown: its entry
expires when a window of its list opens or closes, worked out once per blog, not per page."""

import datetime

import pytest
from django.http import HttpResponse
from django.utils import timezone

from byline.core import frame
from byline.featured.models import FeaturedItem, FeaturedList
from byline.pagecache.services import entry_for
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def served(rf, page):
    """A reader's request for `page`, as the store sees it once Wagtail served it."""
    request = rf.get(page.url)
    request._pagecache_page = page
    frame.remember_view_restrictions(request, page)
    return request


def page_response() -> HttpResponse:
    return HttpResponse(b"<p>A post</p>" * 100, content_type="text/html; charset=utf-8")


def test_a_posts_page_expires_when_its_blogs_window_opens(
    tree, rf, page_store, django_assert_num_queries
):
    opens = (timezone.now() + datetime.timedelta(hours=1)).replace(microsecond=0)
    featured = FeaturedList(name="Bekker's picks", blog=tree.blog)
    featured.items.add(FeaturedItem(title="Soon", url="https://example.com/s", show_from=opens))
    featured.save()
    first, second = (make_post(tree.blog, title=f"Post {n}") for n in range(2))
    assert entry_for(served(rf, first), page_response(), deps=set()).expires == opens.timestamp()
    request = served(rf, second)
    with django_assert_num_queries(0):
        stored = entry_for(request, page_response(), deps=set())
    assert stored.expires == opens.timestamp()


def test_a_change_to_the_window_reaches_the_next_page_stored(tree, rf, page_store):
    opens = (timezone.now() + datetime.timedelta(hours=1)).replace(microsecond=0)
    featured = FeaturedList(name="Front")
    featured.items.add(FeaturedItem(title="Soon", url="https://example.com/s", show_from=opens))
    featured.save()
    post = make_post(tree.blog, title="A post")
    assert entry_for(served(rf, post), page_response(), deps=set()).expires == opens.timestamp()
    item = featured.items.get()
    item.show_from = opens - datetime.timedelta(minutes=30)
    item.save()
    stored = entry_for(served(rf, post), page_response(), deps=set())
    assert stored.expires == item.show_from.timestamp()
