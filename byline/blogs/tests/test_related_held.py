"""A bake's columns ("More from", the neighbours, "Related") made from the index its processes
hold (related.PostIndex): the same posts, in the same order, as the statements serving uses,
and no statement per post."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from byline.blogs import related
from byline.blogs.models import BlogPage, PostPage, PostPageRelated
from byline.core import frame
from tests.factories import make_post, publish

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2011, 7, 1, hour, tzinfo=UTC) + datetime.timedelta(days=day)


def column(post: PostPage) -> tuple:
    """What a post page shows of its column: ids, and for related posts why they rank."""
    post = PostPage.objects.get(pk=post.pk)
    blog = post.get_parent().specific
    found = post.column_context(blog, RequestFactory().get(post.url))
    return (
        [p.pk for p in found.get("more_from_blog", ())],
        getattr(found.get("previous_post"), "pk", None),
        getattr(found.get("next_post"), "pk", None),
        [(p.pk, p.pinned_at, p.shared_tags) for p in found["related_posts"]],
    )


def pin(post: PostPage, *others: PostPage) -> None:
    for position, other in enumerate(others):
        PostPageRelated.objects.create(post=post, related_post=other, sort_order=position)


@pytest.fixture
def site(tree):
    """Two columns with posts sharing a date-time, drafts, restricted posts and a restricted
    blog, tags from rare to everywhere, and pins (some to posts readers may not see)."""
    other = publish(tree.blogs, BlogPage(title="Redmond Report", slug="redmond-report"))
    members = publish(tree.blogs, BlogPage(title="Members", slug="members"))
    PageViewRestriction.objects.create(page=members, restriction_type="login")
    tag_sets = [["all", "azure"], ["all"], ["all", "azure", "office"], [], ["all", "office"]]
    posts = []
    for day in range(14):
        blog = tree.blog if day % 3 else other
        # Days 4 and 5 of the first column: three posts at the very same moment each.
        when = at(4) if day in (4, 5, 7) else at(day)
        posts.append(make_post(blog, date=when, tags=tag_sets[day % len(tag_sets)]))
    secret = make_post(tree.blog, date=at(6, hour=13), tags=["all", "azure"])
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )
    draft = make_post(tree.blog, date=at(8, hour=9), tags=["all", "azure"], live=False)
    member_post = make_post(members, date=at(9), tags=["all", "office"])
    pin(posts[10], secret, posts[1], draft, posts[11], member_post)
    pin(posts[2], posts[13])
    return posts


@pytest.mark.parametrize("per_tag", [related.PER_TAG, 2])
def test_a_bake_makes_every_column_as_the_statements_do(site, per_tag, monkeypatch):
    """Also with each tag's list cut short, where the chosen posts are re-ranked by all the
    tags they share."""
    monkeypatch.setattr(related, "PER_TAG", per_tag)
    served = {post.pk: column(post) for post in site}
    with frame.holding_items(1000):
        baked = {post.pk: column(post) for post in site}
    assert baked == served
    # The fixture reaches what is compared: ties, pins, every list shown somewhere.
    assert any(len(more) == 5 for more, *_ in served.values())
    assert any(related and related[0][1] is not None for *_, related in served.values())
    # Each column's newest post has no next one.
    assert sum(1 for _, _, after, _ in served.values() if after is None) == 2


def test_a_bake_makes_a_column_without_a_statement(site):
    post = PostPage.objects.get(pk=site[10].pk)
    blog = post.get_parent().specific
    request = RequestFactory().get(post.url)
    with CaptureQueriesContext(connection) as served:
        post.column_context(blog, request)
    with frame.holding_items(1000):
        column(site[0])  # the index, and the tags' lists, read once
        with CaptureQueriesContext(connection) as baked:
            assert post.column_context(blog, request)["related_posts"]
    assert len(served) >= 3
    assert len(baked) == 0


def test_a_change_during_a_bake_is_in_the_next_columns(site):
    """The index is kept per content version: a post unpublished or published meanwhile
    leaves or joins the columns at once."""
    with frame.holding_items(1000):
        more, *_ = column(site[13])
        gone = PostPage.objects.get(pk=more[0])
        gone.unpublish()
        after, *_ = column(site[13])
        assert gone.pk not in after
        new = make_post(site[13].get_parent().specific, date=at(12, hour=13))
        assert column(site[13])[0][0] == new.pk


def test_a_pin_written_during_a_bake_is_in_the_next_columns(site):
    """A pinned post written without a page save (a script, the shell) starts a new content
    version, as a tagging does: the index is read again."""
    with frame.holding_items(1000):
        before = column(site[3])[3]
        assert site[12].pk not in [pk for pk, *_ in before]
        pin(site[3], site[12])
        assert column(site[3])[3][0][:2] == (site[12].pk, 0)
        PostPageRelated.objects.filter(post=site[3]).delete()
        assert column(site[3])[3] == before


def test_without_a_content_version_a_bake_uses_the_statements(site, monkeypatch):
    """Nothing is remembered when the version cannot be read: the index is not read for
    every post then, the statements are used."""
    monkeypatch.setattr(frame, "content_version", lambda: None)
    reads = []
    monkeypatch.setattr(related, "_read_index", lambda: reads.append(1))
    served = column(site[10])
    with frame.holding_items(1000):
        assert column(site[10]) == served
    assert reads == []


def test_a_post_in_several_columns_is_noted_for_each_page_showing_it(site):
    """A bake makes each column post once and hands out copies: every page showing one still
    depends on it in the page store, as if it had loaded it."""
    from byline.pagecache import tags, tracking

    shown_on = {}
    with frame.holding_items(1000):
        for post in site:
            token = tracking.start()
            more, previous, following, related_posts = column(post)
            noted = tracking.stop(token)
            shown = {*more, previous, following, *(pk for pk, _at, _shared in related_posts)}
            shown.discard(None)
            for pk in shown:
                shown_on.setdefault(pk, []).append(post.pk)
            assert {tags.post(pk) for pk in shown} <= noted, post.pk
    # Copies were handed out: posts were in more than one column.
    assert max(len(pages) for pages in shown_on.values()) > 2
