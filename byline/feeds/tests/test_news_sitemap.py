"""/sitemap-news.xml: Google News's sitemap of the posts of the last two days."""

import datetime

import pytest
from django.utils import timezone
from lxml import etree
from wagtail.models import PageViewRestriction

from byline.feeds.sitemaps import NEWS_MAX_URLS
from tests.factories import make_post

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def news_urls(client) -> dict[str, etree._Element]:
    response = client.get("/sitemap-news.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    assert root.nsmap == {None: SITEMAP[1:-1], "news": NEWS[1:-1]}
    return {url.findtext(f"{SITEMAP}loc"): url for url in root}


def assert_valid_news_url(url: etree._Element) -> None:
    """The elements the news sitemap schema requires of each <url>, in its order."""
    assert [child.tag for child in url] == [f"{SITEMAP}loc", f"{NEWS}news"]
    (news,) = url.findall(f"{NEWS}news")
    assert [child.tag for child in news] == [
        f"{NEWS}publication",
        f"{NEWS}publication_date",
        f"{NEWS}title",
    ]
    publication = news.find(f"{NEWS}publication")
    assert [child.tag for child in publication] == [f"{NEWS}name", f"{NEWS}language"]
    assert all(child.text for child in publication)
    # W3C Datetime with a time zone designator.
    datetime.datetime.fromisoformat(news.findtext(f"{NEWS}publication_date")).utcoffset()


@pytest.mark.django_db
class TestNewsSitemap:
    def test_posts_of_the_last_two_days_with_publication_date_and_title(
        self, client, tree, settings
    ):
        settings.LANGUAGE_CODE = "en-us"
        fresh = make_post(tree.blog, title="Partners & <Ballmer>", date=hours_ago(3))
        yesterday = make_post(tree.blog, slug="café-crème", date=hours_ago(40))  # encoded
        old = make_post(tree.blog, date=hours_ago(49))
        urls = news_urls(client)
        assert list(urls) == [
            f"http://testserver{fresh.url}",
            f"http://testserver{yesterday.url}",
        ]
        assert f"http://testserver{old.url}" not in urls
        for url in urls.values():
            assert_valid_news_url(url)
        news = urls[f"http://testserver{fresh.url}"].find(f"{NEWS}news")
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Test"  # the Site's name
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
        assert news.findtext(f"{NEWS}title") == "Partners & <Ballmer>"
        published = datetime.datetime.fromisoformat(news.findtext(f"{NEWS}publication_date"))
        assert published == fresh.date.replace(microsecond=0)

    def test_drafts_future_restricted_and_opted_out_blogs_are_absent(self, client, tree):
        make_post(tree.blog, title="Draft", date=hours_ago(1), live=False)
        make_post(tree.blog, title="Tomorrow", date=timezone.now() + datetime.timedelta(days=1))
        secret = make_post(tree.blog, title="Secret", date=hours_ago(2))
        PageViewRestriction.objects.create(
            page=secret, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
        )
        quiet = tree.blog.copy(
            update_attrs={"title": "Press releases", "slug": "press", "in_news_sitemap": False},
            recursive=False,
        )
        make_post(quiet, title="Opted out", date=hours_ago(2))
        public = make_post(tree.blog, title="Public", date=hours_ago(2))
        assert list(news_urls(client)) == [f"http://testserver{public.url}"]

    def test_empty_is_still_a_valid_urlset(self, client, tree):
        assert news_urls(client) == {}

    def test_at_most_1000_urls(self, client, tree, monkeypatch):
        monkeypatch.setattr("byline.feeds.sitemaps.NEWS_MAX_URLS", 2)
        for hours in (1, 2, 3):
            make_post(tree.blog, date=hours_ago(hours))
        assert len(news_urls(client)) == 2
        assert NEWS_MAX_URLS == 1_000

    @pytest.mark.parametrize("single_file_posts", [5_000, 0], ids=["small site", "big site"])
    def test_listed_in_robots_txt_and_the_sitemap_index(
        self, client, tree, monkeypatch, single_file_posts
    ):
        robots = client.get("/robots.txt").content.decode()
        assert "Sitemap: http://testserver/sitemap-news.xml" in robots
        monkeypatch.setattr("byline.feeds.views.SitemapView.single_file_posts", single_file_posts)
        make_post(tree.blog, date=hours_ago(1))
        index = etree.fromstring(client.get("/sitemap.xml").content)
        assert index.tag == f"{SITEMAP}sitemapindex"
        locs = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
        assert locs[-1] == "http://testserver/sitemap-news.xml"
