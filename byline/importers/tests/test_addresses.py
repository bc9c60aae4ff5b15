"""Old WordPress addresses after an import: terms found only on posts, empty terms, every
feed form, and pages whose paths are Byline's own."""

from __future__ import annotations

import io

import feedparser
import pytest
from django.core.management import call_command
from taggit.models import Tag

from byline.blogs.models import PostPage
from byline.importers.tests.test_import import FILES
from byline.publication.models import StandardPage


@pytest.fixture
def report(tree):
    out = io.StringIO()
    call_command("import-wordpress", str(FILES / "addresses.xml"), "--blog", "col", stdout=out)
    return out.getvalue()


def follow(client, url: str) -> tuple[list[str], int]:
    """Every Location on the way, and the last status."""
    hops = []
    response = client.get(url)
    while response.status_code in {301, 302} and len(hops) < 5:
        assert response.status_code == 301, url  # permanent, as search engines need
        hops.append(response["Location"])
        response = client.get(response["Location"])
    return hops, response.status_code


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/category/news/", "/tags/news/"),  # not declared in the header
        ("/tag/kittens/", "/tags/kittens/"),
        ("/category/news/feed/", "/tags/news/feed/"),
        ("/tag/kittens/feed/atom/", "/tags/kittens/atom/"),
        ("/?tag=kittens", "/tags/kittens/"),
        ("/author/ann/feed/rss2/", "/authors/ann/feed/"),
        ("/?author=7", "/authors/ann/"),
        ("/category/news/local/town/", "/tags/town/"),  # a child category's own path
        ("/category/news/local/town/feed/", "/tags/town/feed/"),
        # Declared but no published post has it, or only a draft: the blog, not a 404.
        ("/category/forgotten/", "/blogs/col/"),
        ("/?cat=9", "/blogs/col/"),
        ("/tag/only-on-drafts/", "/blogs/col/"),
        ("/category/forgotten/feed/", "/blogs/col/feed/"),
    ],
)
def test_term_archives_lead_somewhere_that_answers(report, client, old, new):
    hops, status = follow(client, old)
    assert hops[0] == new
    assert status == 200


def test_undeclared_terms_are_tags_and_empty_ones_are_reported(report):
    assert set(Tag.objects.values_list("slug", flat=True)) >= {"news", "kittens", "forgotten"}
    assert "have no published post" in report and "forgotten" in report


@pytest.mark.parametrize(
    ("old", "kind"),
    [
        ("/feed/", "rss"),
        ("/feed/rss2/", "rss"),
        ("/feed/rdf/", "rss"),
        ("/feed/atom/", "atom"),
        ("/?feed=rss2", "rss"),
        ("/?feed=atom", "atom"),
        ("/comments/feed/", "comments"),
        ("/?feed=comments-rss2", "comments"),
        ("/2021/03/posted/feed/", "post comments"),
        ("/2021/03/posted/feed/atom/", "post comments"),
        ("/?p=30&feed=rss2", "post comments"),
    ],
)
def test_every_wordpress_feed_form_answers_with_a_byline_feed(report, client, old, kind):
    """Read back with feedparser: each is a feed, and the right one."""
    hops, status = follow(client, old)
    assert status == 200
    final = hops[-1] if hops else old
    feed = feedparser.parse(client.get(final).content)
    assert not feed.bozo, (old, final, feed.bozo_exception)
    post = PostPage.objects.get(slug="posted")
    if kind == "rss":
        assert final == "/feed/" and feed.version.startswith("rss")
        assert "Posted" in [entry.title for entry in feed.entries]
    elif kind == "atom":
        assert final == "/atom/" and feed.version == "atom10"
    elif kind == "comments":
        assert final == "/blogs/col/comments/feed/"
        assert [entry.author for entry in feed.entries] == ["Reader"]
    else:
        assert final == f"/comments/post/{post.pk}/feed/"
        assert [entry.author for entry in feed.entries] == ["Reader"]


def test_a_page_on_a_byline_path_moves_and_the_report_says_where(report, client):
    search = StandardPage.objects.get(title="Search")
    assert search.url == "/search-page/"
    assert client.get("/search-page/").status_code == 200
    assert "PAGE ADDRESS CHANGED: page 'Search' was at /search/" in report
    assert "the page is at /search-page/ instead" in report
    blogroll = StandardPage.objects.get(title="Blogs we read")
    assert blogroll.url == "/blogs-page/"
    assert "page 'Blogs we read' was at /blogs/" in report
    # Links in imported posts follow the page; Byline's own search still answers /search/.
    post = client.get(PostPage.objects.get(slug="posted").url).content.decode()
    assert 'href="/search-page/"' in post and 'href="/atom/"' in post
    assert 'href="/blogs/col/comments/feed/"' in post
    assert client.get("/search/").status_code == 200


def test_a_page_that_kept_its_address_has_its_comment_feed_too(tree, client):
    """/about/ is imported at /about/ (no redirect row): its old /about/feed/ still leads to
    the feed of its comments."""
    call_command("import-wordpress", str(FILES / "small.xml"), "--blog", "small",
                 stdout=io.StringIO())  # fmt: skip
    about = StandardPage.objects.get(slug="about")
    hops, status = follow(client, "/about/feed/")
    assert hops == [f"/comments/post/{about.pk}/feed/"] and status == 200
    feed = feedparser.parse(client.get(hops[0]).content)
    assert not feed.bozo and len(feed.entries) >= 1
    assert client.get("/nowhere/feed/").status_code == 404
    # A page with no feed of comments (the blogs' index, the home page): no redirect to a 404.
    for old in ("/blogs/feed/", "/blogs/feed/atom/"):
        assert client.get(old).status_code == 404, old
    # A NUL is no page's address (PostgreSQL refused it in the query: a 500).
    for old in ("/%00/feed/", "/about/a%00b/feed/rss2/"):
        assert client.get(old).status_code == 404, old
