"""Request-level tests of the reader pages of blogs: fronts, archives, posts, authors, tags."""

import datetime

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from tests.factories import AuthorFactory, make_post

UTC = datetime.UTC


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.django_db
class TestPostPage:
    def test_post_lives_at_its_dated_address(self, client, tree):
        post = make_post(tree.blog, slug="why", date=at(2011, 7, 13), authors=[tree.author])
        assert post.url == "/blogs/bekkers-blog/2011/07/why/"
        response = client.get(post.url)
        assert response.status_code == 200
        assert b"<h1" in response.content

    def test_wrong_month_or_year_is_404(self, client, tree):
        make_post(tree.blog, slug="why", date=at(2011, 7, 13))
        for url in [
            "/blogs/bekkers-blog/2011/06/why/",
            "/blogs/bekkers-blog/2012/07/why/",
            "/blogs/bekkers-blog/2011/13/why/",
            "/blogs/bekkers-blog/2011/00/why/",
            "/blogs/bekkers-blog/0000/07/why/",
            "/blogs/bekkers-blog/2011/07/nope/",
            "/blogs/bekkers-blog/2011/7/why/",
            "/blogs/bekkers-blog/２０１１/07/why/",
        ]:
            assert client.get(url).status_code == 404, url

    def test_tree_path_redirects_permanently_to_dated_address(self, client, tree):
        post = make_post(tree.blog, slug="why", date=at(2011, 7, 13))
        response = client.get("/blogs/bekkers-blog/why/")
        assert response.status_code == 301
        assert response["Location"] == post.url

    def test_draft_is_not_public(self, client, tree):
        make_post(tree.blog, slug="draft", date=at(2011, 7, 13), live=False)
        assert client.get("/blogs/bekkers-blog/2011/07/draft/").status_code == 404
        assert b"draft" not in client.get("/blogs/bekkers-blog/").content

    def test_byline_names_authors_and_date(self, client, tree):
        other = AuthorFactory(name="Kurt Mackie", slug="kurt-mackie")
        post = make_post(tree.blog, date=at(2011, 7, 13), authors=[tree.author, other])
        html = client.get(post.url).content.decode()
        assert (
            'Posted by <a href="/authors/scott-bekker/" rel="author">Scott Bekker</a> and '
            '<a href="/authors/kurt-mackie/" rel="author">Kurt Mackie</a> on '
            '<time datetime="2011-07-13T12:00:00+00:00">July 13, 2011</time>'
        ) in html

    def test_preview_of_an_undated_draft_says_not_yet_published(self, client, tree):
        """A draft gets its date when it goes live (PostPage.save), so its byline in Wagtail's
        preview cannot end "on <date>": it says the post is not yet published instead."""
        draft = make_post(tree.blog, title="Work in progress", slug="wip", date=None, live=False)
        editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
        client.force_login(editor)
        form = {
            "title": "Work in progress",
            "slug": "wip",
            "date": "",
            "excerpt": "",
            "body": streamfield([("paragraph", rich_text("<p>Soon.</p>"))]),
            "post_authors": inline_formset([{"author": tree.author.pk}]),
            "tags": "",
            "pinned_related": inline_formset([]),
            "comments_open": "on",
            "go_live_at": "",
            "expire_at": "",
        }
        preview = f"/admin/pages/{draft.pk}/edit/preview/"
        assert client.post(preview, nested_form_data(form)).json()["is_valid"]
        page = lxml.html.fromstring(client.get(preview).content)
        (byline,) = page.xpath("//p[@class='byline']")
        assert byline.text_content() == "By Scott Bekker; not yet published"
        assert not byline.xpath(".//time")

    def test_previous_and_next_links(self, client, tree):
        first = make_post(tree.blog, title="First", date=at(2011, 7, 1))
        middle = make_post(tree.blog, title="Middle", date=at(2011, 7, 13))
        last = make_post(tree.blog, title="Last", date=at(2011, 8, 2))
        html = client.get(middle.url).content.decode()
        assert f'rel="prev" href="{first.url}"' in html
        assert f'rel="next" href="{last.url}"' in html
        html = client.get(first.url).content.decode()
        assert 'rel="prev"' not in html

    def test_query_count_does_not_grow_with_posts(self, client, tree):
        """The post page costs the same number of queries with 2 posts in the blog and with
        20, and with 1 author or 3."""
        post = make_post(tree.blog, date=at(2011, 7, 13), authors=[tree.author], tags=["a"])
        client.get(post.url)  # warm Wagtail's site-root cache
        with CaptureQueriesContext(connection) as few:
            assert client.get(post.url).status_code == 200
        for day in range(1, 19):
            make_post(tree.blog, date=at(2011, 6, day), authors=[tree.author], tags=["a", "b"])
        extra = [AuthorFactory(), AuthorFactory()]
        post2 = make_post(
            tree.blog, date=at(2011, 7, 14), authors=[tree.author, *extra], tags=["a", "b", "c"]
        )
        client.get(post2.url)
        with CaptureQueriesContext(connection) as many:
            assert client.get(post2.url).status_code == 200
        assert len(many) == len(few)


@pytest.mark.django_db
class TestBlogFront:
    def test_lists_newest_first_and_paginates(self, client, tree, settings):
        settings.BYLINE_POSTS_PER_PAGE = 2
        for day in (1, 2, 3):
            make_post(tree.blog, title=f"Day {day}", date=at(2011, 7, day))
        html = client.get("/blogs/bekkers-blog/").content.decode()
        assert html.index("Day 3") < html.index("Day 2")
        assert "Day 1" not in html
        page2 = client.get("/blogs/bekkers-blog/?page=2").content.decode()
        assert "Day 1" in page2 and "Day 3" not in page2

    @pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "1.5", "99999999999999999999", ""])
    def test_bad_page_numbers_are_404(self, client, tree, settings, page):
        settings.BYLINE_POSTS_PER_PAGE = 2
        for day in (1, 2, 3):
            make_post(tree.blog, date=at(2011, 7, day))
        assert client.get("/blogs/bekkers-blog/", {"page": page}).status_code == 404

    def test_unknown_blog_is_404(self, client, tree):
        assert client.get("/blogs/no-such-blog/").status_code == 404

    def test_query_count_is_flat(self, client, tree, settings):
        """A full page of 10 posts costs no more queries than a page of 2."""
        settings.BYLINE_POSTS_PER_PAGE = 10
        for day in (1, 2):
            make_post(tree.blog, date=at(2011, 7, day), authors=[tree.author], tags=["x"])
        client.get("/blogs/bekkers-blog/")
        with CaptureQueriesContext(connection) as few:
            client.get("/blogs/bekkers-blog/")
        for day in range(3, 15):
            make_post(tree.blog, date=at(2011, 7, day), authors=[tree.author, AuthorFactory()])
        client.get("/blogs/bekkers-blog/")  # the new posts made the counts anew (counts.py)
        with CaptureQueriesContext(connection) as many:
            client.get("/blogs/bekkers-blog/")
        assert len(many) == len(few)

    def test_a_remembered_front_builds_no_queryset(self, client, tree, monkeypatch):
        """A warm front reads its page of posts back from what the process remembers:
        building the blog's queryset for it cost more CPU than the rest of the view."""
        from byline.blogs.models import BlogPage

        make_post(tree.blog, title="Kept", date=at(2011, 7, 1))
        assert "Kept" in client.get("/blogs/bekkers-blog/").content.decode()
        built = []
        posts = BlogPage.posts

        def counted(self, **kwargs):
            built.append(self.pk)
            return posts(self, **kwargs)

        monkeypatch.setattr(BlogPage, "posts", counted)
        assert "Kept" in client.get("/blogs/bekkers-blog/").content.decode()
        assert built == []
        make_post(tree.blog, title="Later", date=at(2011, 7, 2))  # a new content version
        assert "Later" in client.get("/blogs/bekkers-blog/").content.decode()
        assert built and set(built) == {tree.blog.pk}  # its count and its page, read anew


@pytest.mark.django_db
class TestArchive:
    def test_archive_lists_years_and_months_with_counts(self, client, tree):
        make_post(tree.blog, date=at(2011, 7, 13))
        make_post(tree.blog, date=at(2011, 7, 20))
        make_post(tree.blog, date=at(2011, 5, 2))
        make_post(tree.blog, date=at(2010, 12, 31))
        make_post(tree.blog, date=at(2011, 3, 3), live=False)
        response = client.get("/blogs/bekkers-blog/archive/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Blog archive</h1>" in html
        assert (
            '<a href="/blogs/bekkers-blog/2011/07/">July 2011</a> <span class="count">(2)</span>'
            in html
        )
        assert (
            '<a href="/blogs/bekkers-blog/2011/05/">May 2011</a> <span class="count">(1)</span>'
            in html
        )
        assert "March 2011" not in html
        assert html.index("July 2011") < html.index("May 2011") < html.index("December 2010")
        assert '<a href="/blogs/bekkers-blog/2011/">2011</a> <span class="count">(3)</span>' in html

    def test_month_in_site_time_zone(self, client, tree, settings):
        """23:30 UTC on 31 July is 1 August in Tokyo: the address and the archive agree."""
        settings.TIME_ZONE = "Asia/Tokyo"
        post = make_post(
            tree.blog, slug="late", date=datetime.datetime(2011, 7, 31, 23, 30, tzinfo=UTC)
        )
        assert post.url == "/blogs/bekkers-blog/2011/08/late/"
        assert client.get(post.url).status_code == 200
        assert "August 2011" in client.get("/blogs/bekkers-blog/archive/").content.decode()
        assert client.get("/blogs/bekkers-blog/2011/08/").status_code == 200
        assert client.get("/blogs/bekkers-blog/2011/07/").status_code == 404

    def test_year_and_month_listings(self, client, tree):
        make_post(tree.blog, title="In July", date=at(2011, 7, 13))
        make_post(tree.blog, title="In May", date=at(2011, 5, 2))
        year = client.get("/blogs/bekkers-blog/2011/").content.decode()
        assert "In July" in year and "In May" in year
        month = client.get("/blogs/bekkers-blog/2011/07/").content.decode()
        assert "In July" in month and "In May" not in month
        assert "<h1>July 2011</h1>" in month

    @pytest.mark.parametrize(
        "url",
        [
            "/blogs/bekkers-blog/2012/",
            "/blogs/bekkers-blog/2011/06/",
            "/blogs/bekkers-blog/2011/13/",
            "/blogs/bekkers-blog/2011/00/",
            "/blogs/bekkers-blog/0000/",
            "/blogs/bekkers-blog/99999/",
            "/blogs/bekkers-blog/2011/7/",
            "/blogs/bekkers-blog/2011/07/?page=2",
        ],
    )
    def test_empty_or_impossible_dates_are_404(self, client, tree, url):
        make_post(tree.blog, date=at(2011, 7, 13))
        assert client.get(url).status_code == 404

    def test_archive_query_count_is_flat(self, client, tree):
        make_post(tree.blog, date=at(2011, 7, 13))
        client.get("/blogs/bekkers-blog/archive/")
        with CaptureQueriesContext(connection) as few:
            client.get("/blogs/bekkers-blog/archive/")
        for year in range(2000, 2011):
            make_post(tree.blog, date=at(year, 3, 1))
        client.get("/blogs/bekkers-blog/archive/")  # the new posts made the counts anew
        with CaptureQueriesContext(connection) as many:
            client.get("/blogs/bekkers-blog/archive/")
        assert len(many) == len(few)


@pytest.mark.django_db
class TestAuthorsAndTags:
    def test_author_page_lists_their_posts(self, client, tree):
        other = AuthorFactory(name="Other Writer")
        make_post(tree.blog, title="Mine", authors=[tree.author])
        make_post(tree.blog, title="Theirs", authors=[other])
        html = client.get("/authors/scott-bekker/").content.decode()
        assert "<h1>Scott Bekker</h1>" in html
        assert "Mine" in html and "Theirs" not in html

    def test_author_page_never_shows_the_address(self, client, tree):
        make_post(tree.blog, authors=[tree.author])
        assert b"sbekker@example.com" not in client.get("/authors/scott-bekker/").content

    def test_tag_page(self, client, tree):
        make_post(tree.blog, title="Tagged", tags=["Microsoft"])
        make_post(tree.blog, title="Untagged")
        html = client.get("/tags/microsoft/").content.decode()
        assert "Tagged" in html and "Untagged" not in html

    def test_unknown_author_and_tag_are_404(self, client, tree):
        assert client.get("/authors/nobody/").status_code == 404
        assert client.get("/tags/nothing/").status_code == 404

    def test_bad_page_on_author_page_is_404(self, client, tree):
        make_post(tree.blog, authors=[tree.author])
        assert client.get("/authors/scott-bekker/?page=x").status_code == 404


@pytest.mark.django_db
def test_blog_index_lists_blogs(client, tree):
    html = client.get("/blogs/").content.decode()
    assert '<a href="/blogs/bekkers-blog/">Bekker&#x27;s Blog</a>' in html


@pytest.mark.django_db
def test_home_lists_latest_posts(client, tree):
    make_post(tree.blog, title="Older", date=at(2011, 7, 1))
    make_post(tree.blog, title="Newer", date=at(2011, 7, 2))
    html = client.get("/").content.decode()
    assert html.index("Newer") < html.index("Older")


@pytest.mark.django_db
def test_neighbours_of_posts_sharing_a_date_follow_id_order(client, tree):
    """Three posts at the same minute: the middle one's neighbours are the other two."""
    same = at(2011, 7, 13)
    first = make_post(tree.blog, title="Tie one", date=same)
    middle = make_post(tree.blog, title="Tie two", date=same)
    last = make_post(tree.blog, title="Tie three", date=same)
    html = client.get(middle.url).content.decode()
    assert f'rel="prev" href="{first.url}"' in html
    assert f'rel="next" href="{last.url}"' in html
