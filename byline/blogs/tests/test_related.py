""" "More from <blog>" and "Related" under each post: what they list, in what order, and what
they cost."""

import datetime

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
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


@pytest.fixture
def other_blog(tree):
    return publish(tree.blogs, BlogPage(title="Redmond Report", slug="redmond-report"))


def section_titles(html: str, heading_id: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    section = doc.xpath(f'//section[@aria-labelledby="{heading_id}"]')
    return section[0].xpath(".//li/a/text()") if section else []


def test_more_from_the_column_lists_the_five_posts_before_this_one(client, tree, other_blog):
    """Of eight posts in the column, the seventh shows the five before it, newest first: not
    itself, not the newer eighth, not the oldest, nor another column's posts."""
    posts = [make_post(tree.blog, title=f"Column {day}", date=at(day)) for day in range(1, 9)]
    make_post(other_blog, title="Elsewhere", date=at(6, hour=13))
    html = client.get(posts[6].url).content.decode()
    assert "More from Bekker&#x27;s Blog" in html
    assert section_titles(html, "more-from-blog") == [f"Column {d}" for d in (6, 5, 4, 3, 2)]
    assert f'rel="prev" href="{posts[5].url}"' in html


def test_the_oldest_post_shows_no_column_list(client, tree):
    first = make_post(tree.blog, title="First", date=at(1))
    make_post(tree.blog, title="Second", date=at(2))
    html = client.get(first.url).content.decode()
    assert 'id="more-from-blog"' not in html


def test_related_ranks_by_shared_tags_then_date(client, tree, other_blog):
    """Three shared tags beat two, two beat one; among posts sharing one tag the newer comes
    first; a post sharing none is not listed."""
    post = make_post(tree.blog, title="This", date=at(10), tags=["azure", "office", "ballmer"])
    make_post(other_blog, title="One, newer", date=at(9), tags=["azure"])
    make_post(other_blog, title="Three", date=at(1), tags=["azure", "office", "ballmer"])
    make_post(other_blog, title="One, older", date=at(3), tags=["ballmer", "linux"])
    make_post(other_blog, title="Two", date=at(2), tags=["azure", "office"])
    make_post(other_blog, title="None", date=at(8), tags=["linux"])
    html = client.get(post.url).content.decode()
    assert section_titles(html, "related-posts") == ["Three", "Two", "One, newer", "One, older"]


def test_related_leaves_out_this_post_and_the_column_list(client, tree, other_blog):
    """A post already under "More from" is not repeated under "Related"; an older post of
    the column beyond that list is."""
    for day in range(1, 8):
        make_post(tree.blog, title=f"Column {day}", date=at(day), tags=["azure"])
    post = make_post(tree.blog, title="This", date=at(10), tags=["azure"])
    make_post(other_blog, title="Other column", date=at(9), tags=["azure"])
    html = client.get(post.url).content.decode()
    assert section_titles(html, "more-from-blog") == [f"Column {d}" for d in (7, 6, 5, 4, 3)]
    assert section_titles(html, "related-posts") == ["Other column", "Column 2", "Column 1"]


def test_restricted_and_draft_posts_never_appear(client, tree, other_blog):
    post = make_post(tree.blog, title="This", date=at(10), tags=["azure", "office"])
    secret = make_post(tree.blog, title="Secret", date=at(9), tags=["azure", "office"])
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )
    hidden_blog = publish(tree.blogs, BlogPage(title="Members", slug="members"))
    PageViewRestriction.objects.create(page=hidden_blog, restriction_type="login")
    make_post(hidden_blog, title="Members only", date=at(8), tags=["azure", "office"])
    make_post(other_blog, title="Draft", date=at(7), tags=["azure", "office"], live=False)
    make_post(other_blog, title="Public", date=at(6), tags=["azure"])
    html = client.get(post.url).content.decode()
    assert section_titles(html, "related-posts") == ["Public"]
    assert 'id="more-from-blog"' not in html
    assert "Secret" not in html and "Members only" not in html and "Draft" not in html


def test_a_tag_on_every_post_is_read_only_so_deep(tree, other_blog):
    """With PER_TAG=3, only the three newest other posts carrying the common tag are
    candidates for it: the old post sharing the rare tag is found through that tag alone (one
    shared tag, the oldest), and older posts with the common tag are not looked at."""
    post = make_post(tree.blog, date=at(20), tags=["everywhere", "rare"])
    posts = [make_post(other_blog, date=at(day), tags=["everywhere"]) for day in range(1, 8)]
    old_rare = make_post(other_blog, date=at(0), tags=["everywhere", "rare"])
    ids = related.related_post_ids(post.pk, per_tag=3, count=10)
    assert ids == [posts[6].pk, posts[5].pk, posts[4].pk, old_rare.pk]


def test_both_plans_pick_the_same_posts(tree, other_blog, monkeypatch):
    """Walking the date index and starting from the tag's rows find the same candidates."""
    post = make_post(tree.blog, date=at(20), tags=["a", "b"])
    for day in range(1, 9):
        make_post(other_blog, date=at(day), tags=["a", "b"][: 1 + day % 2])
    found = {}
    for walk in (True, False):
        frame.forget()  # each plan reads the tags' lists afresh
        monkeypatch.setattr(related, "walk_date_index", lambda walk=walk, **kwargs: walk)
        found[walk] = related.related_post_ids(post.pk, per_tag=4, count=10)
    assert found[True] == found[False]
    assert len(found[True]) == 6  # 4 newest with "a", 4 newest with "b": six different posts


@pytest.mark.parametrize("candidates", [0, 10, 100])
def test_related_costs_two_queries_whatever_the_candidates(tree, other_blog, candidates):
    """Reading the tags, then loading the chosen posts: two queries with 0, 10 or 100 posts
    sharing every tag with this one, and one more the first time this process meets a tag
    (its newest posts, all tags in one statement)."""
    post = make_post(tree.blog, date=at(200), tags=["azure", "office"])
    for day in range(candidates):
        make_post(other_blog, date=at(day), tags=["azure", "office"])
    post = PostPage.objects.get(pk=post.pk)
    with CaptureQueriesContext(connection) as first:
        found = related.related_posts(post)
    with CaptureQueriesContext(connection) as again:
        assert related.related_posts(post) == found
    assert (len(first), len(again)) == (3, 2)
    assert len(found) == min(candidates, related.RELATED_COUNT)


def test_a_tags_newest_posts_are_read_once_and_again_after_a_change(tree, other_blog):
    """Posts sharing a tag share its list of newest posts: the second post's related list
    reads no list. A post published since (a new content version) is found at once."""
    first = make_post(tree.blog, date=at(100), tags=["azure"])
    second = make_post(tree.blog, date=at(101), tags=["azure"])
    older = make_post(other_blog, date=at(1), tags=["azure"])
    assert [p.pk for p in related.related_posts(first)] == [second.pk, older.pk]
    with CaptureQueriesContext(connection) as queries:
        assert [p.pk for p in related.related_posts(second)] == [first.pk, older.pk]
    assert len(queries) == 2
    newer = make_post(other_blog, date=at(50), tags=["azure"])
    assert [p.pk for p in related.related_posts(first)] == [second.pk, newer.pk, older.pk]


def test_a_post_hidden_since_leaves_the_related_lists_at_once(tree, other_blog):
    post = make_post(tree.blog, date=at(100), tags=["azure"])
    secret = make_post(other_blog, date=at(1), tags=["azure"])
    assert [p.pk for p in related.related_posts(post)] == [secret.pk]
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )
    assert related.related_posts(post) == []


def test_the_post_page_costs_the_same_with_0_10_and_100_candidates(client, tree, other_blog):
    post = make_post(tree.blog, date=at(200), tags=["azure", "office"])
    counts = []
    made = 0
    for candidates in (0, 10, 100):
        for day in range(made, candidates):
            make_post(tree.blog if day % 2 else other_blog, date=at(day), tags=["azure"])
        made = candidates
        client.get(post.url)  # warm Wagtail's site-root cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(post.url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


def pin(post, *pinned):
    post = PostPage.objects.get(pk=post.pk)
    for position, other in enumerate(pinned):
        post.pinned_related.add(PostPageRelated(related_post=other, sort_order=position))
    post.save_revision().publish()
    return post


def test_pinned_posts_come_first_in_their_order(client, tree, other_blog):
    """Pinned posts lead, in the editor's order, whatever tags they share; the list then
    fills with the best tag matches, which are not repeated."""
    post = make_post(tree.blog, title="This", date=at(10), tags=["azure", "office"])
    best = make_post(other_blog, title="Best match", date=at(1), tags=["azure", "office"])
    make_post(other_blog, title="Good match", date=at(2), tags=["azure"])
    first = make_post(other_blog, title="Pinned first", date=at(3))
    second = make_post(other_blog, title="Pinned second", date=at(4), tags=["azure", "office"])
    pin(post, first, second)
    html = client.get(post.url).content.decode()
    assert section_titles(html, "related-posts") == [
        "Pinned first",
        "Pinned second",
        "Best match",
        "Good match",
    ]
    assert best.pk  # ranked among the others, after the pinned ones


def test_pinned_posts_show_on_a_post_without_tags_but_never_restricted_ones(
    client, tree, other_blog
):
    post = make_post(tree.blog, title="This", date=at(10))
    secret = make_post(other_blog, title="Secret", date=at(2))
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )
    shown = make_post(other_blog, title="Pinned", date=at(1))
    pin(post, secret, shown)
    html = client.get(post.url).content.decode()
    assert section_titles(html, "related-posts") == ["Pinned"]
    assert "Secret" not in html


def test_every_pinned_post_shows_beyond_the_usual_length(tree, other_blog):
    post = make_post(tree.blog, date=at(20), tags=["azure"])
    pinned = [make_post(other_blog, date=at(day)) for day in range(7)]
    make_post(other_blog, date=at(8), tags=["azure"])
    pin(post, *pinned)
    found = related.related_posts(PostPage.objects.get(pk=post.pk))
    assert [p.pk for p in found] == [p.pk for p in pinned]


def test_pinning_a_post_under_itself_is_refused(tree):
    post = make_post(tree.blog, date=at(1))
    with pytest.raises(ValidationError):
        PostPageRelated(post=post, related_post=post).full_clean()


def test_pins_cost_no_query_more(tree, other_blog):
    post = make_post(tree.blog, date=at(20), tags=["azure"])
    for day in range(10):
        make_post(other_blog, date=at(day), tags=["azure"])
    pin(post, *[make_post(other_blog, date=at(day)) for day in range(3)])
    post = PostPage.objects.get(pk=post.pk)
    related.related_posts(post)  # the tag's list read once per content version
    with CaptureQueriesContext(connection) as queries:
        found = related.related_posts(post)
    assert len(queries) == 2
    assert len(found) == related.RELATED_COUNT


def test_the_editor_offers_pinned_related_posts(admin_client, tree):
    post = make_post(tree.blog, date=at(1))
    response = admin_client.get(f"/admin/pages/{post.pk}/edit/")
    assert response.status_code == 200
    assert "Pinned related posts" in response.content.decode()
