"""What a page's Featured list shows: order, defaults and overrides, windows, the blog's list
replacing the site's, when the output next changes, and the signal sent on edits."""

import datetime

import pytest
from django.utils import timezone

from byline.blogs.models import BlogPage
from byline.core import frame
from byline.featured.models import FeaturedItem
from byline.featured.services import (
    featured_affected_pages,
    featured_items_for,
    featured_next_change,
)
from byline.featured.signals import featured_changed
from tests.factories import make_post, publish

from .conftest import at

NOW = at(2025, 7, 15)


@pytest.fixture
def posts(tree):
    return [make_post(tree.blog, title=f"Story {n}", excerpt=f"Excerpt {n}.") for n in range(3)]


@pytest.fixture
def sent():
    calls = []

    def receiver(sender, **kwargs):
        calls.append((kwargs["blog_id"], kwargs["reason"]))

    featured_changed.connect(receiver)
    yield calls
    featured_changed.disconnect(receiver)


@pytest.mark.django_db
class TestOrderAndDefaults:
    def test_items_come_in_the_editors_order(self, tree, posts, make_list):
        make_list({"page": posts[2]}, {"page": posts[0]}, {"page": posts[1]})
        titles = [item.title for item in featured_items_for(page=tree.home, now=NOW)]
        assert titles == ["Story 2", "Story 0", "Story 1"]

    def test_reordering_changes_the_order(self, tree, posts, make_list):
        featured = make_list({"page": posts[0]}, {"page": posts[1]})
        first, second = featured.items.all()
        first.sort_order, second.sort_order = 1, 0
        first.save()
        second.save()
        titles = [item.title for item in featured_items_for(page=tree.home, now=NOW)]
        assert titles == ["Story 1", "Story 0"]

    def test_a_page_gives_its_title_excerpt_lead_image_and_address(self, tree, story, make_list):
        make_list({"page": story})
        (item,) = featured_items_for(page=tree.home, now=NOW)
        assert item.title == "A story"
        assert item.summary == "The story's excerpt."
        assert item.url == story.url == "/blogs/bekkers-blog/2025/06/a-story/"
        assert item.image.pk == story.lead_image_id
        assert item.alt == "A chart of partner revenue"
        assert not item.is_external

    def test_each_default_can_be_overridden(self, tree, story, make_list, make_image):
        own = make_image(description="Its own description")
        make_list(
            {
                "page": story,
                "title": "A sharper title",
                "summary": "A sharper summary.",
                "image": own,
                "image_alt": "Partners at a conference",
            }
        )
        (item,) = featured_items_for(page=tree.home, now=NOW)
        assert (item.title, item.summary, item.image.pk, item.alt) == (
            "A sharper title",
            "A sharper summary.",
            own.pk,
            "Partners at a conference",
        )
        assert item.url == story.url

    def test_decorative_image_has_empty_alt(self, tree, story, make_list):
        make_list({"page": story, "image_is_decorative": True})
        (item,) = featured_items_for(page=tree.home, now=NOW)
        assert item.image is not None and item.alt == ""

    def test_outside_link(self, tree, make_list):
        make_list({"url": "https://example.com/report", "title": "A report", "summary": "S."})
        (item,) = featured_items_for(page=tree.home, now=NOW)
        assert (item.url, item.title, item.summary, item.image) == (
            "https://example.com/report",
            "A report",
            "S.",
            None,
        )
        assert item.is_external

    def test_a_page_unpublished_after_it_was_featured_drops_out(self, tree, posts, make_list):
        make_list({"page": posts[0]}, {"page": posts[1]})
        posts[0].unpublish()
        assert [i.title for i in featured_items_for(page=tree.home, now=NOW)] == ["Story 1"]


@pytest.mark.django_db
class TestWindows:
    @pytest.mark.parametrize(
        ("show_from", "show_until", "shown"),
        [
            (None, None, True),
            (at(2025, 7, 1), None, True),
            (at(2025, 7, 16), None, False),
            (None, at(2025, 7, 16), True),
            (None, at(2025, 7, 1), False),
            (at(2025, 7, 1), at(2025, 7, 16), True),
            # The window is [from, until): shown at its first instant, gone at its last.
            (NOW, None, True),
            (None, NOW, False),
        ],
    )
    def test_shown_only_inside_its_window(
        self, tree, posts, make_list, show_from, show_until, shown
    ):
        make_list({"page": posts[0], "show_from": show_from, "show_until": show_until})
        assert bool(featured_items_for(page=tree.home, now=NOW)) is shown

    def test_next_change_is_the_nearest_future_start_or_end(self, tree, posts, make_list):
        make_list(
            {"page": posts[0], "show_until": at(2025, 7, 20)},
            {"page": posts[1], "show_from": at(2025, 7, 18), "show_until": at(2025, 7, 30)},
            {"page": posts[2], "show_from": at(2025, 7, 1)},  # already open: no change ahead
        )
        assert featured_next_change(page=tree.home, now=NOW) == at(2025, 7, 18)
        assert featured_next_change(page=tree.home, now=at(2025, 7, 18)) == at(2025, 7, 20)
        assert featured_next_change(page=tree.home, now=at(2025, 7, 25)) == at(2025, 7, 30)
        assert featured_next_change(page=tree.home, now=at(2025, 7, 30)) is None

    def test_next_change_of_a_post_counts_its_blogs_list(self, tree, posts, make_list):
        make_list({"page": posts[0], "show_until": at(2025, 8, 1)})
        make_list({"page": posts[1], "show_from": at(2025, 7, 20)}, blog=tree.blog)
        other = publish(tree.blogs, BlogPage(title="Other", slug="other"))
        elsewhere = make_post(other, title="Elsewhere")
        assert featured_next_change(page=posts[2], now=NOW) == at(2025, 7, 20)
        assert featured_next_change(page=elsewhere, now=NOW) == at(2025, 8, 1)
        assert featured_next_change(now=NOW) == at(2025, 7, 20)

    def test_the_list_changes_when_a_window_opens_and_closes(self, tree, posts, make_list):
        make_list({"page": posts[0], "show_from": at(2025, 7, 18), "show_until": at(2025, 7, 20)})
        before = featured_next_change(page=tree.home, now=NOW)
        assert featured_items_for(page=tree.home, now=before - datetime.timedelta(seconds=1)) == []
        assert len(featured_items_for(page=tree.home, now=before)) == 1
        closes = featured_next_change(page=tree.home, now=before)
        assert featured_items_for(page=tree.home, now=closes) == []

    def test_default_now_is_the_current_time(self, tree, posts, make_list):
        soon = timezone.now() + datetime.timedelta(hours=1)
        make_list({"page": posts[0], "show_from": soon})
        assert featured_items_for(page=tree.home) == []
        assert featured_next_change(page=tree.home) == soon


@pytest.mark.django_db
class TestNextChangeRemembered:
    """With a request (the page store asks for every page it keeps), the next change is read
    once per content version and scope, and again once that moment has come."""

    @pytest.fixture
    def request_(self, rf):
        return rf.get("/")

    def test_read_once_for_every_post_of_a_blog(
        self, tree, posts, make_list, request_, django_assert_num_queries
    ):
        soon = timezone.now() + datetime.timedelta(hours=1)
        make_list({"page": posts[0], "show_from": soon}, blog=tree.blog)
        assert featured_next_change(page=posts[0], request=request_) == soon
        with django_assert_num_queries(0):
            assert featured_next_change(page=posts[1], request=request_) == soon
            assert featured_next_change(page=posts[2], request=request_) == soon

    def test_a_post_of_another_blog_has_its_blogs_own(self, tree, posts, make_list, request_):
        blog_opens = timezone.now() + datetime.timedelta(hours=1)
        site_closes = timezone.now() + datetime.timedelta(hours=2)
        make_list({"page": posts[0], "show_from": blog_opens}, blog=tree.blog)
        make_list({"page": posts[1], "show_until": site_closes})
        other = publish(tree.blogs, BlogPage(title="Other", slug="other"))
        elsewhere = make_post(other, title="Elsewhere")
        assert featured_next_change(page=posts[0], request=request_) == blog_opens
        assert featured_next_change(page=elsewhere, request=request_) == site_closes
        assert featured_next_change(page=tree.home, request=request_) == site_closes
        assert featured_next_change(page=tree.blog, request=request_) == blog_opens

    def test_a_change_to_a_list_is_seen_at_once(self, tree, posts, make_list, rf):
        opens = timezone.now() + datetime.timedelta(hours=1)
        featured = make_list({"page": posts[0], "show_from": opens})
        assert featured_next_change(page=posts[1], request=rf.get("/")) == opens
        item = featured.items.get()
        item.show_from = opens + datetime.timedelta(hours=1)
        item.save()  # a new content version: the next request reads it again
        assert featured_next_change(page=posts[1], request=rf.get("/")) == item.show_from

    def test_read_again_once_the_moment_has_come(
        self, tree, posts, make_list, request_, monkeypatch, django_assert_num_queries
    ):
        opens = timezone.now() + datetime.timedelta(hours=1)
        make_list({"page": posts[0], "show_from": opens})
        assert featured_next_change(page=tree.home, request=request_) == opens
        later = opens + datetime.timedelta(seconds=1)
        monkeypatch.setattr(frame.time, "time", later.timestamp)
        with django_assert_num_queries(1):
            featured_next_change(page=tree.home, request=request_)


@pytest.mark.django_db
class TestBlogList:
    def test_blogs_list_replaces_the_site_list_on_its_posts(self, tree, posts, make_list):
        make_list({"page": posts[0]}, {"page": posts[1]})
        make_list({"page": posts[2]}, blog=tree.blog)
        assert [i.title for i in featured_items_for(page=posts[0], now=NOW)] == ["Story 2"]
        assert [i.title for i in featured_items_for(page=tree.blog, now=NOW)] == ["Story 2"]

    def test_site_list_stays_on_home_and_on_other_blogs(self, tree, posts, make_list):
        make_list({"page": posts[0]}, {"page": posts[1]})
        make_list({"page": posts[2]}, blog=tree.blog)
        other = publish(tree.blogs, BlogPage(title="Other", slug="other"))
        elsewhere = make_post(other, title="Elsewhere")
        expected = ["Story 0", "Story 1"]
        assert [i.title for i in featured_items_for(page=tree.home, now=NOW)] == expected
        assert [i.title for i in featured_items_for(page=elsewhere, now=NOW)] == expected

    def test_site_list_returns_when_the_blogs_list_has_nothing_showing(
        self, tree, posts, make_list
    ):
        make_list({"page": posts[0]})
        make_list({"page": posts[2], "show_until": at(2025, 7, 1)}, blog=tree.blog)
        assert [i.title for i in featured_items_for(page=posts[1], now=NOW)] == ["Story 0"]

    def test_affected_pages(self, tree, posts, make_list):
        blog_list = make_list({"page": posts[0]}, blog=tree.blog)
        assert set(featured_affected_pages(blog_id=blog_list.blog_id)) == {
            tree.blog.page_ptr,
            *[post.page_ptr for post in posts],
        }
        site = set(featured_affected_pages(blog_id=None))
        assert tree.home.page_ptr in site and posts[0].page_ptr in site


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestSignal:
    def test_saving_a_list_announces_its_scope_once(self, tree, posts, make_list, sent):
        make_list({"page": posts[0]}, {"page": posts[1]}, blog=tree.blog)
        assert sent == [(tree.blog.pk, "list-saved")]

    def test_unpublishing_a_featured_page_announces(self, tree, posts, make_list, sent):
        make_list({"page": posts[0]})
        sent.clear()
        posts[0].unpublish()
        assert sent == [(None, "page-changed")]

    def test_deleting_an_item_announces(self, tree, posts, make_list, sent):
        featured = make_list({"page": posts[0]})
        sent.clear()
        FeaturedItem.objects.get(featured_list=featured).delete()
        assert sent == [(None, "item-deleted")]

    def test_unrelated_page_changes_are_quiet(self, tree, posts, make_list, sent):
        make_list({"page": posts[0]})
        sent.clear()
        posts[1].save_revision().publish()
        assert sent == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestRenditionWarmUp:
    def test_saving_a_list_queues_its_card_renditions(self, settings, tree, story, make_list):
        from django_tasks import task_backends

        from byline.images.presets import specs_for
        from byline.images.tasks import warm_renditions

        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        make_list({"page": story})
        (queued,) = [
            result
            for result in task_backends["default"].results
            if result.task.func is warm_renditions.func  # Wagtail queues tasks of its own
        ]
        assert queued.kwargs == {"image_ids": [story.lead_image_id], "preset_names": ["card"]}
        assert story.lead_image.renditions.count() == 0

        assert warm_renditions.call(**queued.kwargs) == 1
        made = set(story.lead_image.renditions.values_list("filter_spec", flat=True))
        assert made == set(specs_for(story.lead_image, "card"))
