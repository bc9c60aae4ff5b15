"""Metadata in reader pages: autodiscovery, canonical, Open Graph, Twitter, JSON-LD."""

import datetime
import json
from urllib.parse import quote

import pytest
from lxml import html as lxml_html

from byline.blogs.models import AuthorLink
from tests.factories import AuthorFactory, make_post


def at(year, month, day):
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


def head(response):
    return lxml_html.fromstring(response.content).find("head")


def json_ld(response) -> list[dict]:
    return [
        json.loads(script.text)
        for script in head(response).findall("script")
        if script.get("type") == "application/ld+json"
    ]


def alternates(response) -> dict[str, str]:
    return {
        link.get("href"): link.get("type")
        for link in head(response).findall("link")
        if link.get("rel") == "alternate"
    }


@pytest.fixture
def post(tree):
    return make_post(
        tree.blog,
        title="Why Partners Like </script><script>alert(1)</script>",
        slug="why",
        date=at(2011, 7, 13),
        authors=[tree.author],
        tags=["Partners"],
        excerpt="A short excerpt.",
    )


@pytest.mark.django_db
class TestPostMetadata:
    def test_canonical_description_open_graph_twitter(self, client, post):
        response = client.get(post.url + "?utm_source=x")
        page = head(response)
        canonical = page.find("link[@rel='canonical']").get("href")
        assert canonical == "http://testserver/blogs/bekkers-blog/2011/07/why/"
        meta = {
            (element.get("property") or element.get("name")): element.get("content")
            for element in page.findall("meta")
        }
        assert meta["description"] == "A short excerpt."
        assert meta["og:type"] == "article"
        assert meta["og:url"] == canonical
        assert meta["og:description"] == "A short excerpt."
        assert meta["article:published_time"].startswith("2011-07-13T12:00:00")
        assert meta["twitter:card"] == "summary"

    def test_share_links_carry_the_canonical_address_not_the_site_records(self, client, post):
        """The Site record says localhost:80 (the factories'); the reader asked testserver,
        and the share links go where the canonical link does."""
        assert post.get_full_url().startswith("http://localhost/")
        document = lxml_html.fromstring(client.get(post.url).content)
        canonical = document.find(".//link[@rel='canonical']").get("href")
        share = document.find_class("share")[0]
        assert share.xpath(".//a[@data-copy-link]/@href") == [canonical]
        encoded = quote(canonical, safe="")
        hrefs = share.xpath(".//a/@href")
        assert sum(encoded in href for href in hrefs) == 5, hrefs
        assert not any("localhost" in href for href in hrefs)

    def test_feed_autodiscovery_for_site_and_blog(self, client, post):
        links = alternates(client.get(post.url))
        assert links["http://testserver/feed/"] == "application/rss+xml"
        assert links["http://testserver/atom/"] == "application/atom+xml"
        assert links["http://testserver/feed.json"] == "application/feed+json"
        assert links["http://testserver/blogs/bekkers-blog/feed/"] == "application/rss+xml"

    def test_feed_links_kept_for_a_blogs_posts_follow_each_request(self, client, post, tree):
        """A blog's feed links are worked out once for all its posts (feeds.metadata), per
        scheme and host: a reader over HTTPS gets https links from the kept ones too."""
        other = make_post(tree.blog, title="Another", slug="another", date=at(2011, 7, 14))
        assert "http://testserver/blogs/bekkers-blog/feed/" in alternates(client.get(post.url))
        secure = alternates(client.get(other.url, secure=True))
        assert "https://testserver/blogs/bekkers-blog/feed/" in secure
        assert "http://testserver/blogs/bekkers-blog/feed/" not in secure
        assert "http://testserver/blogs/bekkers-blog/feed/" in alternates(client.get(other.url))

    def test_json_ld_blog_posting_and_breadcrumbs(self, client, post):
        response = client.get(post.url)
        posting, crumbs = json_ld(response)
        assert posting["@type"] == "BlogPosting"
        assert posting["headline"] == post.title
        assert posting["datePublished"] == "2011-07-13T12:00:00+00:00"
        assert posting["dateModified"]
        assert posting["author"] == [
            {
                "@type": "Person",
                "name": "Scott Bekker",
                "url": "http://testserver/authors/scott-bekker/",
            }
        ]
        assert posting["publisher"]["@type"] == "Organization"
        assert posting["mainEntityOfPage"]["@id"] == (
            "http://testserver/blogs/bekkers-blog/2011/07/why/"
        )
        assert crumbs["@type"] == "BreadcrumbList"
        assert [item["position"] for item in crumbs["itemListElement"]] == [1, 2, 3]

    def test_json_ld_author_is_every_person_with_url_and_same_as(self, client, tree):
        """Shared byline: one Person per author, in byline order, each with their page as
        `url`, their role, short bio and http(s) profile links as `sameAs`."""
        scott = tree.author
        scott.role = "Editor at Large"
        scott.short_bio = "Covers Microsoft partners."
        scott.website = "https://bekker.example/"
        scott.links.add(AuthorLink(label="Mastodon", url="https://mastodon.example/@sbekker"))
        scott.save()
        AuthorLink.objects.create(author=scott, label="Hostile", url="javascript:alert(1)")
        jane = AuthorFactory(name="Jane Doe", slug="jane-doe")
        post = make_post(tree.blog, authors=[jane, scott])
        posting, _crumbs = json_ld(client.get(post.url))
        assert posting["author"] == [
            {"@type": "Person", "name": "Jane Doe", "url": "http://testserver/authors/jane-doe/"},
            {
                "@type": "Person",
                "name": "Scott Bekker",
                "url": "http://testserver/authors/scott-bekker/",
                "jobTitle": "Editor at Large",
                "description": "Covers Microsoft partners.",
                "sameAs": ["https://bekker.example/", "https://mastodon.example/@sbekker"],
            },
        ]

    def test_json_ld_cannot_break_out_of_its_script(self, client, post):
        body = client.get(post.url).content.decode()
        assert "</script><script>alert(1)" not in body
        assert "\\u003C/script\\u003E" in body

    def test_json_ld_has_image_when_there_is_a_lead_image(self, client, post):
        from wagtail.images.models import Image
        from wagtail.images.tests.utils import get_test_image_file

        post.lead_image = Image.objects.create(title="Lead", file=get_test_image_file())
        post.save_revision().publish()
        response = client.get(post.url)
        posting = json_ld(response)[0]
        assert posting["image"][0].startswith("http://testserver/media/images/")
        meta = {
            m.get("property") or m.get("name"): m.get("content")
            for m in head(response).findall("meta")
        }
        assert meta["og:image"] == posting["image"][0]
        assert meta["twitter:card"] == "summary_large_image"

    def test_a_post_without_excerpt_is_described_by_its_body_rendered_once(
        self, client, tree, monkeypatch
    ):
        from byline.feeds import metadata

        plain_post = make_post(tree.blog, title="Plain", slug="plain", date=at(2011, 7, 14))
        bodies = []
        real = metadata.plain

        def counting(text, *args, **kwargs):
            if "<p" in text:
                bodies.append(text)
            return real(text, *args, **kwargs)

        monkeypatch.setattr(metadata, "plain", counting)
        response = client.get(plain_post.url)
        described = str(plain_post.body)
        assert described and len(bodies) == 1
        words = metadata.plain(described)
        meta = {
            (element.get("property") or element.get("name")): element.get("content")
            for element in head(response).findall("meta")
        }
        assert meta["og:description"] == words
        (posting, _crumbs) = json_ld(response)
        assert posting["description"] == words

    def test_no_email_in_metadata(self, client, post):
        page_head = lxml_html.tostring(head(client.get(post.url))).decode()
        assert "sbekker@example.com" not in page_head


@pytest.mark.django_db
class TestListingMetadata:
    @pytest.mark.parametrize(
        ("url", "feed"),
        [
            ("/", "http://testserver/feed/"),
            ("/blogs/", "http://testserver/feed/"),
            ("/blogs/bekkers-blog/", "http://testserver/blogs/bekkers-blog/atom/"),
            ("/blogs/bekkers-blog/archive/", "http://testserver/blogs/bekkers-blog/feed/"),
            ("/authors/scott-bekker/", "http://testserver/authors/scott-bekker/feed.json"),
            ("/tags/partners/", "http://testserver/tags/partners/feed/"),
            ("/search/", "http://testserver/feed/"),
        ],
    )
    def test_every_page_has_canonical_description_and_feeds(self, client, post, url, feed):
        response = client.get(url)
        assert response.status_code == 200
        page = head(response)
        assert page.find("link[@rel='canonical']").get("href") == f"http://testserver{url}"
        assert feed in alternates(response)
        assert page.find("meta[@property='og:title']") is not None
        if url != "/search/":
            assert page.find("meta[@name='description']") is not None, url

    def test_canonical_keeps_the_page_number(self, client, tree, settings):
        settings.BYLINE_POSTS_PER_PAGE = 1
        make_post(tree.blog)
        make_post(tree.blog)
        page = head(client.get("/blogs/bekkers-blog/?page=2"))
        assert page.find("link[@rel='canonical']").get("href") == (
            "http://testserver/blogs/bekkers-blog/?page=2"
        )

    def test_author_page_profile_json_ld(self, client, post):
        (profile,) = json_ld(client.get("/authors/scott-bekker/"))
        assert profile["@type"] == "ProfilePage"
        assert profile["mainEntity"]["name"] == "Scott Bekker"
        assert "email" not in json.dumps(profile)

    def test_blog_page_json_ld(self, client, post):
        (blog,) = json_ld(client.get("/blogs/bekkers-blog/"))
        assert blog["@type"] == "Blog"
        assert blog["url"] == "http://testserver/blogs/bekkers-blog/"
