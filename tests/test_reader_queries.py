"""Reader pages run a fixed number of queries, whatever the number of posts, comments or tags."""

import datetime

import pytest
from django.test import RequestFactory
from wagtail.models import Page

from byline.comments.models import CommentStatus, ReaderComment
from byline.core import routing
from byline.publication.models import StandardPage
from tests.factories import AuthorFactory, build_site_tree, make_post, publish

UTC = datetime.UTC


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def tree(db):
    return build_site_tree()


def queries_of(client, url, django_assert_max_num_queries) -> int:
    """Queries of a render after the first (which counts the listings once per change)."""
    client.get(url)
    with django_assert_max_num_queries(1000) as counted:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(counted.captured_queries)


def grow(tree, posts: int, *, comments_on=None, comments: int = 0) -> None:
    """More posts in the blog (tagged, by the blog's author), and comments on one post."""
    for number in range(posts):
        make_post(
            tree.blog,
            date=at(2011, 1 + number % 12, 1 + number % 27),
            authors=[tree.author],
            tags=["azure", f"tag-{number}"],
        )
    for number in range(comments):
        ReaderComment.objects.create(
            post=comments_on,
            status=CommentStatus.APPROVED,
            name=f"Reader {number}",
            email=f"reader{number}@example.com",
            body=f"Comment {number}.",
        )


# Ceilings as measured (issue #14): a query per item, or any new query on these pages, fails
# here first. The frame (site, restrictions, navigation, footer, Featured) is read once per
# content version (byline.core.frame), so none of these counts it; nor a post's lookup and
# the posts around it, or a listing's posts (only their comment counts are read each time).
CEILINGS = {
    "post": 2,
    "home": 1,
    "blog front": 1,
    "blog archive": 0,
    "blog year": 1,
    "blog index": 1,
    "standard page": 1,
    "author": 2,
    "tag": 2,
    "site feed": 0,
    "blog feed": 1,
    "search": 2,
}


@pytest.mark.django_db
def test_reader_pages_run_as_many_queries_with_many_posts_and_comments(
    client, tree, django_assert_max_num_queries
):
    post = make_post(
        tree.blog, slug="why", date=at(2011, 7, 13), authors=[tree.author], tags=["azure"]
    )
    grow(tree, 2, comments_on=post, comments=1)
    publish(tree.home, StandardPage(title="About", slug="about"))
    pages = {
        "post": post.url,
        "home": "/",
        "blog front": "/blogs/bekkers-blog/",
        "blog archive": "/blogs/bekkers-blog/archive/",
        "blog year": "/blogs/bekkers-blog/2011/",
        "blog index": "/blogs/",
        "standard page": "/about/",
        "author": "/authors/scott-bekker/",
        "tag": "/tags/azure/",
        "site feed": "/feed/",
        "blog feed": "/blogs/bekkers-blog/feed/",
        "search": "/search/?q=post",
    }
    few = {
        name: queries_of(client, url, django_assert_max_num_queries) for name, url in pages.items()
    }
    for name, count in few.items():
        assert count <= CEILINGS[name], (name, count)

    second = AuthorFactory(name="Kurt Mackie", slug="kurt-mackie")
    grow(tree, 25, comments_on=post, comments=30)
    post.post_authors.create(author=second, sort_order=1)
    post.tags.add(*(f"more-{n}" for n in range(8)))
    many = {
        name: queries_of(client, url, django_assert_max_num_queries) for name, url in pages.items()
    }
    assert many == few


def comparable(value):
    """A route's arguments with pages as ids and bound views as their functions."""
    if isinstance(value, list | tuple):
        return [comparable(item) for item in value]
    if isinstance(value, Page):
        return value.pk
    return getattr(value, "__func__", value)


@pytest.mark.django_db
def test_routing_finds_what_wagtails_walk_finds(tree):
    """byline.core.routing answers every address as Wagtail's own walk does: pages, a blog's
    own addresses, its redirect from the tree path, drafts and addresses that are not there."""
    post = make_post(tree.blog, slug="why", date=at(2011, 7, 13))
    make_post(tree.blog, slug="draft", date=at(2011, 7, 14), live=False)
    about = publish(tree.home, StandardPage(title="About", slug="about"))
    publish(about, StandardPage(title="Team", slug="team"))
    addresses = [
        "/",
        "/blogs/",
        "/blogs/bekkers-blog/",
        "/blogs/bekkers-blog/archive/",
        "/blogs/bekkers-blog/2011/",
        "/blogs/bekkers-blog/2011/07/why/",
        "/blogs/bekkers-blog/2011/06/why/",
        "/blogs/bekkers-blog/2011/07/draft/",
        "/blogs/bekkers-blog/why/",
        "/blogs/nope/",
        "/blogs/bekkers-blog/2011/07/why/extra/",
        "/about/",
        "/about/team/",
        "/about/team/nope/",
        "/nope/",
    ]
    factory = RequestFactory()
    for address in addresses:
        ours = routing.route(factory.get(address, HTTP_HOST="localhost"), address)
        wagtails = Page.route_for_request(factory.get(address, HTTP_HOST="localhost"), address)
        if wagtails is None:
            assert ours is None, address
            continue
        assert ours is not None, address
        assert (type(ours.page), ours.page.pk) == (type(wagtails.page), wagtails.page.pk), address
        assert comparable(ours.args) == comparable(wagtails.args), address
        assert ours.kwargs == wagtails.kwargs, address
    assert routing.route(factory.get(post.url), post.url).page.get_parent().pk == tree.blog.pk


@pytest.mark.django_db
def test_a_moved_page_is_found_at_its_new_address(client, tree):
    """The walk reads url_path, which Wagtail rewrites on a move: the old address is gone."""
    about = publish(tree.home, StandardPage(title="About", slug="about"))
    team = publish(about, StandardPage(title="Team", slug="team"))
    team.move(tree.blogs, pos="last-child")
    assert client.get("/blogs/team/").status_code == 200
    assert client.get("/about/team/").status_code in (301, 404)  # Wagtail may redirect it


@pytest.mark.django_db
def test_wagtails_own_front_end_addresses_still_answer(client, tree):
    """The page tree's pattern comes after Wagtail's other ones: its login form is not a page."""
    response = client.get("/_util/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content
