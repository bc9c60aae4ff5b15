"""/sitemap.xml and /robots.txt."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from byline.core import frame
from byline.feeds.sitemaps import SiteSitemap
from byline.feeds.views import SitemapView
from tests.factories import AuthorFactory, make_post

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def at(year, month, day):
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


def locs(response) -> list[str]:
    return [element.text for element in etree.fromstring(response.content).iter(f"{NS}loc")]


@pytest.mark.django_db
class TestSitemap:
    def test_lists_every_public_page_with_lastmod(self, client, tree):
        post = make_post(
            tree.blog, slug="why", date=at(2011, 7, 13), authors=[tree.author], tags=["Partners"]
        )
        make_post(tree.blog, slug="draft", live=False)
        index = client.get("/sitemap.xml")
        assert etree.fromstring(index.content).tag == f"{NS}sitemapindex"
        # A small site: one file of every URL, and Google News's beside it.
        assert locs(index) == [
            "http://testserver/sitemap-all.xml",
            "http://testserver/sitemap-news.xml",
        ]
        response = client.get("/sitemap-all.xml")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/xml")
        root = etree.fromstring(response.content)
        assert root.tag == f"{NS}urlset"
        urls = locs(response)
        assert set(urls) == {
            "http://testserver/",
            "http://testserver/blogs/",
            "http://testserver/blogs/bekkers-blog/",
            "http://testserver/blogs/bekkers-blog/2011/07/why/",
            "http://testserver/authors/scott-bekker/",
            "http://testserver/tags/partners/",
        }
        assert post.get_full_url().endswith("/blogs/bekkers-blog/2011/07/why/")
        for url in root.iter(f"{NS}url"):
            lastmod = url.find(f"{NS}lastmod").text
            datetime.datetime.fromisoformat(lastmod)  # W3C datetime
        assert response["Last-Modified"]

    def test_post_locations_match_the_post_urls(self, client, tree, settings, monkeypatch):
        """The sitemap builds post URLs from rows; they must be the pages' own URLs, also in
        a time zone where the local month differs from UTC's."""
        settings.TIME_ZONE = "America/Los_Angeles"
        monkeypatch.setattr(SitemapView, "single_file_posts", 0)
        posts = [
            make_post(tree.blog, date=at(2011, 7, 1).replace(hour=3)),
            make_post(tree.blog, date=at(2012, 12, 31)),
            make_post(tree.blog, slug="café-crème", date=at(2012, 3, 1)),  # percent-encoded
        ]
        urls = []
        for section in locs(client.get("/sitemap.xml")):
            if "/sitemap-posts-" in section:
                urls += locs(client.get(section.removeprefix("http://testserver")))
        assert sorted(urls) == sorted(f"http://testserver{post.get_url()}" for post in posts)

    def test_index_of_sections_past_one_file(self, client, tree, monkeypatch):
        """Five posts, sections of two post ids, one file for at most three posts: an index
        of pages, authors, tags and three or four posts sections (the ids need not start on
        a boundary), every post in exactly one of them."""
        monkeypatch.setattr(SitemapView, "single_file_posts", 3)
        monkeypatch.setattr(SiteSitemap, "posts_per_section", 2)
        posts = [make_post(tree.blog, date=at(2020, 1, day)) for day in range(1, 6)]
        index = client.get("/sitemap.xml")
        root = etree.fromstring(index.content)
        assert root.tag == f"{NS}sitemapindex"
        children = [child.removeprefix("http://testserver") for child in locs(index)]
        assert children[:3] == ["/sitemap-pages.xml", "/sitemap-authors.xml", "/sitemap-tags.xml"]
        assert children[-1] == "/sitemap-news.xml"  # Google News's, of the last two days
        post_sections = children[3:-1]
        numbers = sorted({post.pk // 2 for post in posts})
        assert post_sections == [f"/sitemap-posts-{number}.xml" for number in numbers]
        for sitemap in list(root.iter(f"{NS}sitemap"))[:-1]:
            datetime.datetime.fromisoformat(sitemap.find(f"{NS}lastmod").text)
        seen = []
        for child in post_sections:
            response = client.get(child)
            assert response.status_code == 200, child
            assert etree.fromstring(response.content).tag == f"{NS}urlset"
            assert 1 <= len(locs(response)) <= 2
            seen += locs(response)
        assert sorted(seen) == sorted(f"http://testserver{post.get_url()}" for post in posts)
        pages = locs(client.get("/sitemap-pages.xml"))
        assert "http://testserver/blogs/bekkers-blog/" in pages

    def test_query_counts_do_not_grow_with_posts(self, client, tree, monkeypatch):
        """The index and each section are a fixed number of queries, for 2 posts or 8."""
        monkeypatch.setattr(SitemapView, "single_file_posts", 0)
        urls = ["/sitemap.xml", "/sitemap-pages.xml", "/sitemap-authors.xml", "/sitemap-tags.xml"]

        def counts() -> list[int]:
            sections = [
                url.removeprefix("http://testserver")
                for url in locs(client.get("/sitemap.xml"))
                if "/sitemap-posts-" in url
            ]
            result = []
            for url in [*urls, sections[-1]]:
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                result.append(len(queries))
            return result

        for day in range(1, 3):
            make_post(tree.blog, date=at(2020, 1, day), authors=[tree.author], tags=["A"])
        few = counts()
        for day in range(3, 9):
            make_post(tree.blog, date=at(2020, 1, day), authors=[tree.author], tags=[f"T{day}"])
        assert counts() == few

    def test_sections_are_read_once_per_content_version(self, tree, rf):
        frame.forget()
        make_post(tree.blog, date=at(2020, 1, 1), authors=[tree.author], tags=["A"])

        def read(section: str) -> list[str]:
            sitemap = SiteSitemap(rf.get(f"/sitemap-{section}.xml"))
            if section == "index":
                return [item.name for item in sitemap.sections()]
            return [location for location, _ in sitemap.urls(section)]

        for section in ("tags", "authors", "pages", "index"):
            read(section)
        with CaptureQueriesContext(connection) as queries:
            assert read("tags") == ["http://testserver/tags/a/"]
            assert read("authors") == ["http://testserver/authors/scott-bekker/"]
            assert "http://testserver/blogs/bekkers-blog/" in read("pages")
            assert "posts-0" in read("index")
        assert queries.captured_queries == []

        jane = AuthorFactory(name="Jane Doe", slug="jane-doe")
        make_post(tree.blog, date=at(2020, 1, 2), authors=[jane], tags=["B"])
        assert read("tags") == ["http://testserver/tags/a/", "http://testserver/tags/b/"]
        assert "http://testserver/authors/jane-doe/" in read("authors")

    @pytest.mark.parametrize(
        "url",
        [
            "/sitemap-nope.xml",
            "/sitemap-posts.xml",
            "/sitemap-posts-abc.xml",
            "/sitemap-posts--1.xml",
            "/sitemap-posts-99999.xml",
            "/sitemap-posts-99999999999999999999.xml",
        ],
    )
    def test_bad_section_is_404(self, client, tree, url):
        make_post(tree.blog)
        assert client.get(url).status_code == 404

    def test_withdrawn_post_moves_last_modified(self, client, tree):
        """Unpublishing makes nothing newer, yet the sitemap changed: no 304 after it."""
        from wagtail.models import Page

        post = make_post(tree.blog, date=at(2011, 7, 13))
        make_post(tree.blog, date=at(2011, 7, 14))
        # Everything last changed in 2011, so the unpublishing below is seconds later.
        Page.objects.update(last_published_at=at(2011, 7, 14))
        first = client.get("/sitemap.xml")
        assert first["Last-Modified"] == "Thu, 14 Jul 2011 12:00:00 GMT"
        post.unpublish()
        for path in ("/sitemap.xml", "/sitemap-all.xml"):
            again = client.get(path, headers={"If-Modified-Since": first["Last-Modified"]})
            assert again.status_code == 200, path
        assert post.get_url() not in again.content.decode()

    def test_a_withdrawal_makes_every_section_of_the_index_newer(self, client, tree, monkeypatch):
        """Crawlers read a section again when the index says it changed: after a post is
        restricted, its section (whichever) must say so, though nothing in it is newer."""
        from wagtail.models import Page, PageLogEntry, PageViewRestriction

        monkeypatch.setattr(SitemapView, "single_file_posts", 1)
        posts = [make_post(tree.blog, date=at(2011, 7, day)) for day in (12, 13, 14)]
        Page.objects.update(last_published_at=at(2011, 7, 14))
        PageLogEntry.objects.update(timestamp=at(2011, 7, 14))

        def lastmods() -> dict[str, str]:
            root = etree.fromstring(client.get("/sitemap.xml").content)
            return {
                sitemap.find(f"{NS}loc").text: sitemap.find(f"{NS}lastmod").text
                for sitemap in root.iter(f"{NS}sitemap")
                if sitemap.find(f"{NS}lastmod") is not None
            }

        before = lastmods()
        PageViewRestriction.objects.create(page=posts[0], restriction_type="login")
        after = lastmods()
        assert before.keys() == after.keys() and before
        assert all(after[loc] > before[loc] for loc in before)

    def test_304_on_if_modified_since(self, client, tree):
        make_post(tree.blog)
        first = client.get("/sitemap.xml")
        again = client.get("/sitemap.xml", headers={"If-Modified-Since": first["Last-Modified"]})
        assert again.status_code == 304

    def test_no_email_addresses(self, client, tree):
        make_post(tree.blog, authors=[tree.author])
        assert b"@" not in client.get("/sitemap-all.xml").content

    def test_every_author_of_a_shared_byline_has_an_entry(self, client, tree):
        jane = AuthorFactory(name="Jane Doe", slug="jane-doe")
        make_post(tree.blog, authors=[tree.author, jane])
        urls = locs(client.get("/sitemap-authors.xml"))
        assert urls == [
            "http://testserver/authors/jane-doe/",
            "http://testserver/authors/scott-bekker/",
        ]

    def test_the_single_file_sends_to_the_index_past_a_small_site(self, client, tree, monkeypatch):
        """A crawler that found /sitemap-all.xml while the site was small is not told the
        sitemap is gone when the site grows: it is sent to the index of sections."""
        monkeypatch.setattr(SitemapView, "single_file_posts", 0)
        post = make_post(tree.blog)
        response = client.get("/sitemap-all.xml")
        assert response.status_code == 302
        assert response["Location"] == "/sitemap.xml"
        index = client.get("/sitemap.xml", follow=True).content.decode()
        assert "/sitemap-all.xml" not in index
        assert "http://testserver/sitemap-posts-0.xml" in index
        assert f"http://testserver{post.url}" in locs(client.get("/sitemap-posts-0.xml"))


@pytest.mark.django_db
def test_robots_txt(client, tree):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
