"""Feeds read back by a real feed client (feedparser) and checked against their specs."""

import datetime
import json

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree
from taggit.models import Tag
from wagtail.models import Page, PageLogEntry, PageViewRestriction

from byline.blogs.models import BlogPage, PostPage
from byline.feeds.feeds import post_guid
from tests.factories import AuthorFactory, make_post, publish

UTC = datetime.UTC
ATOM = "{http://www.w3.org/2005/Atom}"
PREFIXES = ["/", "/blogs/bekkers-blog/", "/authors/scott-bekker/", "/tags/partners/"]
XML_FEED_URLS = [prefix + suffix for prefix in PREFIXES for suffix in ("feed/", "atom/")]
JSON_FEED_URLS = [prefix + "feed.json" for prefix in PREFIXES]
FEED_URLS = XML_FEED_URLS + JSON_FEED_URLS


def at(year, month, day):
    return datetime.datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def post(tree):
    second = AuthorFactory(name="Kurt Mackie", slug="kurt-mackie", email="kmackie@example.com")
    return make_post(
        tree.blog,
        title="Why Partners Like Steve Ballmer",
        slug="why-partners",
        date=at(2011, 7, 13),
        authors=[tree.author, second],
        tags=["Partners", "Microsoft"],
        excerpt="Ballmer & the channel.",
        body=[
            ("paragraph", '<p>Read <a href="/blogs/">more</a> or mail sbekker@example.com.</p>'),
        ],
    )


@pytest.mark.django_db
class TestEveryFeed:
    @pytest.mark.parametrize("url", XML_FEED_URLS)
    def test_parses_without_bozo_and_lists_the_post(self, client, post, url):
        response = client.get(url)
        assert response.status_code == 200
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert len(parsed.entries) == 1
        entry = parsed.entries[0]
        assert entry.title == "Why Partners Like Steve Ballmer"
        assert entry.link == "http://testserver/blogs/bekkers-blog/2011/07/why-partners/"
        assert entry.id == post_guid(post)
        assert [author.name for author in entry.authors] == ["Scott Bekker", "Kurt Mackie"]
        if "/atom/" in url:  # RSS has names only (dc:creator); Atom each author's page too
            assert [author.href for author in entry.authors] == [
                "http://testserver/authors/scott-bekker/",
                "http://testserver/authors/kurt-mackie/",
            ]
        assert {tag.term for tag in entry.tags} == {"Partners", "Microsoft"}

    @pytest.mark.parametrize("url", JSON_FEED_URLS)
    def test_json_feed_has_what_json_feed_1_1_requires(self, client, post, url):
        """feedparser 6 does not read JSON Feed, so the spec's MUSTs are checked here."""
        data = json.loads(client.get(url).content)
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert data["title"] and data["feed_url"].startswith("http://testserver/")
        (item,) = data["items"]
        assert item["id"] == post_guid(post)
        assert item["url"] == "http://testserver/blogs/bekkers-blog/2011/07/why-partners/"
        assert "content_html" in item or "content_text" in item
        assert [author["name"] for author in item["authors"]] == ["Scott Bekker", "Kurt Mackie"]
        assert set(item["tags"]) == {"Partners", "Microsoft"}

    @pytest.mark.parametrize("url", FEED_URLS)
    def test_no_email_address_anywhere(self, client, post, url):
        body = client.get(url).content.decode()
        assert "@example.com" not in body
        assert "mailto:" not in body

    def test_content_types(self, client, post):
        """RSS and Atom as application/xml, which browsers transform with the feed's XSLT
        stylesheet (byline.core.feedwriters.FEED_CONTENT_TYPE says why)."""
        assert client.get("/feed/")["Content-Type"] == "application/xml; charset=utf-8"
        assert client.get("/atom/")["Content-Type"] == "application/xml; charset=utf-8"
        assert client.get("/feed.json")["Content-Type"].startswith("application/feed+json")


@pytest.mark.django_db
class TestContent:
    def test_full_content_has_absolute_links(self, client, post, settings):
        settings.BYLINE_FEED_FULL_CONTENT = True
        entry = feedparser.parse(client.get("/atom/").content).entries[0]
        assert 'href="http://testserver/blogs/"' in entry.content[0].value
        assert entry.summary == "Ballmer &amp; the channel." or entry.summary == (
            "Ballmer & the channel."
        )

    def test_excerpt_only_by_setting(self, client, post, settings):
        settings.BYLINE_FEED_FULL_CONTENT = False
        entry = feedparser.parse(client.get("/atom/").content).entries[0]
        assert "content" not in entry
        data = json.loads(client.get("/feed.json").content)
        assert data["items"][0]["content_text"] == "Ballmer & the channel."
        assert "content_html" not in data["items"][0]

    def test_rss_has_content_encoded_and_guid_not_permalink(self, client, post):
        root = etree.fromstring(client.get("/feed/").content)
        item = root.find("channel/item")
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false"
        assert guid.text.startswith("tag:testserver,")
        ns = "{http://purl.org/rss/1.0/modules/content/}encoded"
        assert "more</a>" in item.find(ns).text

    def test_json_feed_version_and_fields(self, client, post):
        data = json.loads(client.get("/blogs/bekkers-blog/feed.json").content)
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert data["feed_url"] == "http://testserver/blogs/bekkers-blog/feed.json"
        assert data["home_page_url"] == "http://testserver/blogs/bekkers-blog/"
        item = data["items"][0]
        assert item["date_published"] == "2011-07-13T12:00:00+00:00"
        assert item["authors"] == [
            {"name": "Scott Bekker", "url": "http://testserver/authors/scott-bekker/"},
            {"name": "Kurt Mackie", "url": "http://testserver/authors/kurt-mackie/"},
        ]

    def test_only_published_posts_of_the_source(self, client, tree, post):
        make_post(tree.blog, title="A draft", live=False)
        other = make_post(tree.blog, title="By someone else", tags=["Other"])
        site = feedparser.parse(client.get("/feed/").content)
        assert [entry.title for entry in site.entries] == [post.title, other.title] or [
            entry.title for entry in site.entries
        ] == [other.title, post.title]
        by_author = feedparser.parse(client.get("/authors/scott-bekker/feed/").content)
        assert [entry.title for entry in by_author.entries] == [post.title]
        # The second name of a shared byline has the post in their feed too.
        by_co_author = feedparser.parse(client.get("/authors/kurt-mackie/atom/").content)
        assert [entry.title for entry in by_co_author.entries] == [post.title]
        tagged = feedparser.parse(client.get("/tags/partners/feed/").content)
        assert [entry.title for entry in tagged.entries] == [post.title]

    def test_newest_first_and_limited(self, client, tree, settings):
        settings.BYLINE_FEED_ITEMS = 3
        for day in range(1, 6):
            make_post(tree.blog, title=f"Day {day}", date=at(2020, 1, day))
        titles = [entry.title for entry in feedparser.parse(client.get("/feed/").content).entries]
        assert titles == ["Day 5", "Day 4", "Day 3"]

    def test_enclosure_for_lead_image(self, client, tree):
        from wagtail.images.models import Image
        from wagtail.images.tests.utils import get_test_image_file

        image = Image.objects.create(title="Lead", file=get_test_image_file())
        post = make_post(tree.blog, title="With image")
        post.lead_image = image
        post.save_revision().publish()
        root = etree.fromstring(client.get("/feed/").content)
        enclosure = root.find("channel/item/enclosure")
        assert enclosure.get("url").startswith("http://testserver/media/original_images/")
        assert enclosure.get("type") == "image/png"
        assert int(enclosure.get("length")) == image.get_file_size() > 0
        data = json.loads(client.get("/feed.json").content)
        assert data["items"][0]["image"] == enclosure.get("url")


@pytest.mark.django_db
class TestStableIds:
    def test_id_survives_a_slug_and_title_change(self, client, post):
        before = feedparser.parse(client.get("/atom/").content).entries[0].id
        post.slug = "renamed"
        post.title = "A new title"
        post.save_revision().publish()
        after = feedparser.parse(client.get("/atom/").content).entries[0]
        assert after.link.endswith("/2011/07/renamed/")
        assert after.id == before

    def test_id_is_a_tag_uri_dated_at_first_publication(self, post, settings):
        settings.BYLINE_FEED_TAG_AUTHORITY = "example.org"
        first = post.first_published_at
        assert post_guid(post) == (f"tag:example.org,{first:%Y-%m-%d}:post:{post.translation_key}")


@pytest.mark.django_db
class TestAtomRfc4287:
    def test_required_elements(self, client, tree, post):
        make_post(tree.blog, title="No author")  # the feed-level author then covers it
        root = etree.fromstring(client.get("/atom/").content)
        assert root.tag == f"{ATOM}feed"
        for name in ("id", "title", "updated"):
            assert root.find(f"{ATOM}{name}") is not None, name
        assert root.find(f"{ATOM}author/{ATOM}name") is not None
        assert root.find(f"{ATOM}link[@rel='self']") is not None
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == 2
        for entry in entries:
            for name in ("id", "title", "updated"):
                assert entry.find(f"{ATOM}{name}") is not None, name
            assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
            ids = [element.text for element in entry.findall(f"{ATOM}id")]
            assert len(ids) == 1 and ids[0].startswith("tag:")


@pytest.mark.django_db
class TestConditionalGet:
    def test_etag_and_last_modified_give_304(self, client, post):
        first = client.get("/atom/")
        assert first["ETag"] and first["Last-Modified"]
        again = client.get("/atom/", headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        assert again.content == b""
        since = client.get("/atom/", headers={"If-Modified-Since": first["Last-Modified"]})
        assert since.status_code == 304

    def test_a_new_post_changes_the_etag(self, client, tree, post):
        first = client.get("/feed/")
        make_post(tree.blog, title="Newer", date=at(2012, 1, 1))
        again = client.get("/feed/", headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 200
        assert again["ETag"] != first["ETag"]

    def test_unpublishing_moves_last_modified_on(self, client, tree, post):
        other = make_post(tree.blog, title="To withdraw", date=at(2012, 1, 1))
        first = client.get("/feed/")
        other.unpublish()
        again = client.get("/feed/", headers={"If-Modified-Since": first["Last-Modified"]})
        # Withdrawn at least a second after the first response? Then 200; within the same
        # second HTTP dates cannot tell, and the ETag (tested above) is what catches it.
        assert again.status_code in (200, 304)
        assert "To withdraw" not in client.get("/feed/").content.decode()

    @pytest.mark.parametrize(
        "withdrawal", ["post restricted", "blog restricted", "expired", "moved"]
    )
    def test_every_way_out_of_sight_moves_last_modified_on(self, client, tree, withdrawal):
        """A feed reader, CDN or crawler that sends only If-Modified-Since is not told 304
        (keep your copy, hidden post and all) after a post leaves readers' sight without an
        editor's unpublish: a restriction on it or on its blog, its expiry, or a move under
        a restricted blog."""
        make_post(tree.blog, title="Stays", date=at(2011, 6, 1))
        post = make_post(tree.blog, title="To withdraw", date=at(2012, 1, 1))
        members = publish(tree.blogs, BlogPage(title="Members", slug="members"))
        PageViewRestriction.objects.create(page=members, restriction_type="login")
        # Everything happened years ago, so the withdrawal below is years later.
        Page.objects.update(last_published_at=at(2012, 1, 1))
        PageLogEntry.objects.update(timestamp=at(2012, 1, 1))
        paths = ["/feed/", "/blogs/bekkers-blog/atom/", "/sitemap.xml", "/sitemap-all.xml"]
        before = {path: client.get(path) for path in paths}
        assert "To withdraw" in before["/feed/"].content.decode()
        if withdrawal == "post restricted":
            PageViewRestriction.objects.create(page=post, restriction_type="login")
        elif withdrawal == "blog restricted":
            PageViewRestriction.objects.create(page=tree.blog, restriction_type="login")
        elif withdrawal == "expired":
            post.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
        else:
            post.move(members, pos="last-child")
        for path, first in before.items():
            assert first.status_code == 200 and first["Last-Modified"], path
            since = {"If-Modified-Since": first["Last-Modified"]}
            assert client.get(path, headers=since).status_code != 304, path
        feed = client.get("/feed/").content.decode()
        assert "To withdraw" not in feed
        assert ("Stays" in feed) is (withdrawal != "blog restricted")  # under the same blog


@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize(
        "url",
        [
            "/blogs/nope/feed/",
            "/authors/nope/atom/",
            "/tags/nope/feed.json",
            "/blogs/bekkers-blog/feed.xml",
        ],
    )
    def test_unknown_source_is_404(self, client, post, url):
        assert client.get(url).status_code == 404

    def test_tag_without_published_posts_is_404(self, client, tree):
        make_post(tree.blog, title="Draft", tags=["Secret"], live=False)
        assert client.get("/tags/secret/feed/").status_code == 404

    def test_post_is_405(self, client, post):
        assert client.post("/feed/").status_code == 405


def feed_queries(client, url: str) -> tuple[int, ...]:
    """Queries of a render right after a new content version (the feed's posts read afresh)
    and of the next (remembered: byline.core.frame)."""
    from byline.core import frame

    client.get(url)  # warm the per-process caches (content types, site root paths)
    frame.bump()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    return tuple(counts)


@pytest.mark.django_db
def test_feed_query_count_does_not_grow_with_items(client, tree, settings):
    settings.BYLINE_FEED_FULL_CONTENT = False
    author = tree.author
    make_post(tree.blog, authors=[author], tags=["A"])
    few = feed_queries(client, "/feed/")
    for _ in range(5):
        make_post(tree.blog, authors=[author], tags=["A", "B"])
    many = feed_queries(client, "/feed/")
    assert many == few
    assert few[0] > 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["site", "blog", "author", "tag"])
def test_both_plans_find_the_same_newest_posts(tree, kind):
    """newest_post_ids walks the date index or starts from the scope's own posts; either
    way the same posts of the scope, newest first, drafts and other scopes left out."""
    from byline.blogs.listing import Scope, newest_post_ids
    from byline.blogs.models import BlogPage

    other_blog = BlogPage(title="Cloud Desk", slug="cloud-desk")
    tree.blog.get_parent().add_child(instance=other_blog)
    other_blog.save_revision().publish()
    for day in range(1, 9):
        make_post(
            tree.blog if day % 2 else other_blog,
            date=at(2020, 1, day),
            authors=[tree.author] if day % 3 else [],
            tags=["Even"] if day % 2 == 0 else ["Odd"],
        )
    make_post(tree.blog, date=at(2020, 2, 1), live=False, authors=[tree.author], tags=["Odd"])
    tag = Tag.objects.get(name="Even")
    scope = {
        "site": Scope(tree_path=tree.home.path),
        "blog": Scope(tree_path=tree.blog.path),
        "author": Scope(tree_path=tree.home.path, author_id=tree.author.pk),
        "tag": Scope(tree_path=tree.home.path, tag_id=tag.pk),
    }[kind]
    walked = newest_post_ids(scope, 3, walk=True)
    assert walked == newest_post_ids(scope, 3, walk=False) == newest_post_ids(scope, 3)
    days = {
        "site": [8, 7, 6],
        "blog": [7, 5, 3],
        "author": [8, 7, 5],
        "tag": [8, 6, 4],
    }[kind]
    posts = PostPage.objects.in_bulk(walked)
    assert [posts[pk].date.day for pk in walked] == days


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/feed/", "/blogs/bekkers-blog/atom/", "/authors/scott-bekker/feed.json", "/tags/a/feed/"],
)
def test_every_feed_kind_keeps_its_query_count(client, tree, settings, url):
    settings.BYLINE_FEED_FULL_CONTENT = False
    make_post(tree.blog, authors=[tree.author], tags=["A"])
    few = feed_queries(client, url)
    for day in range(1, 7):
        make_post(tree.blog, date=at(2020, 1, day), authors=[tree.author], tags=["A", "B"])
    many = feed_queries(client, url)
    assert many == few
    assert few[0] > 0
