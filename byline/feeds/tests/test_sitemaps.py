"""/sitemap.xml and /robots.txt."""

import datetime

import pytest
from lxml import etree

from byline.core.testing import make_post
from byline.feeds.views import SitemapView

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
        response = client.get("/sitemap.xml")
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

    def test_post_locations_match_the_post_urls(self, client, tree, settings):
        """The sitemap builds post URLs from rows; they must be the pages' own URLs, also in
        a time zone where the local month differs from UTC's."""
        settings.TIME_ZONE = "America/Los_Angeles"
        posts = [
            make_post(tree.blog, date=at(2011, 7, 1).replace(hour=3)),
            make_post(tree.blog, date=at(2012, 12, 31)),
        ]
        urls = locs(client.get("/sitemap-posts.xml"))
        assert sorted(urls) == sorted(f"http://testserver{post.get_url()}" for post in posts)

    def test_index_past_the_limit(self, client, tree, monkeypatch):
        monkeypatch.setattr(SitemapView, "max_urls", 3)
        for day in range(1, 6):
            make_post(tree.blog, date=at(2020, 1, day))
        index = client.get("/sitemap.xml")
        root = etree.fromstring(index.content)
        assert root.tag == f"{NS}sitemapindex"
        children = locs(index)
        assert "http://testserver/sitemap-posts.xml" in children
        assert "http://testserver/sitemap-posts.xml?p=2" in children
        seen = []
        for child in children:
            response = client.get(child.removeprefix("http://testserver"))
            assert response.status_code == 200, child
            seen += locs(response)
            assert len(locs(response)) <= 3
        assert len([url for url in seen if "/2020/01/" in url]) == 5

    @pytest.mark.parametrize(
        "url",
        [
            "/sitemap-nope.xml",
            "/sitemap-posts.xml?p=abc",
            "/sitemap-posts.xml?p=-1",
            "/sitemap-posts.xml?p=99",
            "/sitemap-posts.xml?p=99999999999999999999",
        ],
    )
    def test_bad_section_or_page_is_404(self, client, tree, url):
        make_post(tree.blog)
        assert client.get(url).status_code == 404

    def test_304_on_if_modified_since(self, client, tree):
        make_post(tree.blog)
        first = client.get("/sitemap.xml")
        again = client.get("/sitemap.xml", headers={"If-Modified-Since": first["Last-Modified"]})
        assert again.status_code == 304

    def test_no_email_addresses(self, client, tree):
        make_post(tree.blog, authors=[tree.author])
        assert b"@" not in client.get("/sitemap.xml").content


@pytest.mark.django_db
def test_robots_txt(client, tree):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
