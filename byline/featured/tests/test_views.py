"""The Featured list as readers get it: placement, its card images, the blog's list replacing
the site's, and a fixed number of queries however long the list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_post

from .conftest import at


def attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))


def aside(html: str) -> str:
    match = re.search(r'<aside class="featured".*?</aside>', html, re.S)
    assert match, "no Featured aside"
    return match.group(0)


@pytest.fixture
def featured_site(tree, story, make_list, make_image):
    """The home page, a post, and a site-wide list of the story and an outside link."""
    other = make_post(tree.blog, title="Other story", slug="other", date=at(2025, 7, 1))
    make_list(
        {"page": story},
        {
            "url": "https://example.com/report",
            "title": "A report",
            "image": make_image(),
            "image_alt": "A printed report",
        },
    )
    return other


@pytest.mark.django_db
class TestPlacement:
    def test_home_page_has_the_list_under_a_featured_heading(self, client, featured_site):
        html = aside(client.get("/").content.decode())
        assert '<h2 id="featured-heading">Featured</h2>' in html
        assert '<a href="/blogs/bekkers-blog/2025/06/a-story/">A story</a>' in html
        assert "The story&#x27;s excerpt." in html
        assert '<a href="https://example.com/report">A report</a>' in html
        assert html.index("A story") < html.index("A report")

    def test_every_post_has_the_list(self, client, featured_site):
        response = client.get(featured_site.url)
        assert response.status_code == 200
        assert "A report" in aside(response.content.decode())

    def test_no_list_no_aside(self, client, tree):
        post = make_post(tree.blog, title="Alone")
        assert 'class="featured"' not in client.get(post.url).content.decode()
        assert 'class="featured"' not in client.get("/").content.decode()

    def test_blogs_own_list_replaces_the_site_list_on_its_posts(
        self, client, tree, featured_site, make_list
    ):
        make_list({"page": featured_site, "title": "The blog's pick"}, blog=tree.blog)
        on_post = aside(client.get(featured_site.url).content.decode())
        assert "The blog&#x27;s pick" in on_post and "A report" not in on_post
        on_home = aside(client.get("/").content.decode())
        assert "A report" in on_home and "The blog&#x27;s pick" not in on_home

    def test_item_outside_its_window_is_not_shown(self, client, tree, story, make_list):
        make_list({"page": story, "show_until": at(2020, 1, 1)})
        assert 'class="featured"' not in client.get("/").content.decode()


@pytest.mark.django_db
class TestImageMarkup:
    def test_picture_has_modern_sources_and_a_sized_fallback(self, client, featured_site):
        html = aside(client.get("/").content.decode())
        pictures = re.findall(r"<picture>.*?</picture>", html, re.S)
        assert len(pictures) == 2
        first = pictures[0]
        webp = re.search(r'<source [^>]*type="image/webp"[^>]*>', first).group(0)
        assert re.search(r'srcset="[^"]+\.webp 320w, [^"]+\.webp 640w, [^"]+\.webp 960w"', webp)
        assert 'sizes="(min-width: 62rem) 25rem, calc(100vw - 2.5rem)"' in webp
        img = re.search(r"<img [^>]*>", first).group(0)
        # A 1200×675 original in 16:9 cards of 320, 640 and 960 pixels.
        assert (attrs(img)["width"], attrs(img)["height"]) == ("320", "180")
        srcset = re.search(r'srcset="([^"]*)"', img).group(1)
        assert [c.split()[1] for c in srcset.split(", ")] == ["320w", "640w", "960w"]
        assert all(c.split()[0].endswith(".jpg") for c in srcset.split(", "))
        assert 'sizes="(min-width: 62rem) 25rem, calc(100vw - 2.5rem)"' in img
        assert 'alt="A chart of partner revenue"' in img
        # The first card is at the top of the aside; the rest wait until scrolled near.
        assert 'loading="eager"' in img
        assert 'loading="lazy"' in pictures[1] and 'alt="A printed report"' in pictures[1]

    def test_decorative_image_has_empty_alt(self, client, tree, story, make_list):
        make_list({"page": story, "image_is_decorative": True})
        img = re.search(r"<img [^>]*>", aside(client.get("/").content.decode())).group(0)
        assert 'alt=""' in img

    def test_an_unreadable_original_costs_the_picture_not_the_page(
        self, client, featured_site, story
    ):
        # The file on disk is damaged after upload (no renditions made yet).
        story.lead_image.renditions.all().delete()
        with story.lead_image.file.open("wb") as damaged:
            damaged.write(b"\xff\xd8\xff\xe0 not the rest of a JPEG")
        from django.core.cache import cache

        cache.clear()
        response = client.get("/")
        assert response.status_code == 200
        html = aside(response.content.decode())
        assert "A story" in html and html.count("<picture>") == 1

    def test_renditions_are_made_once_and_reused(self, client, featured_site, story):
        client.get("/")
        made = story.lead_image.renditions.count()
        assert made > 0
        client.get("/")
        client.get(featured_site.url)
        assert story.lead_image.renditions.count() == made


def count_queries(client, url) -> int:
    client.get(url)  # warm Wagtail's site-root cache and make the renditions
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def first_render(url) -> int:
    """Queries of the first render after a new content version (nothing remembered)."""
    from django.test import Client

    from byline.core import frame

    frame.bump()
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
class TestQueryCounts:
    def test_list_costs_the_same_with_one_item_or_four(self, client, tree, make_list, make_image):
        posts = []
        for n in range(4):
            post = make_post(tree.blog, title=f"S{n}", slug=f"s{n}", date=at(2025, 6, n + 1))
            post.lead_image = make_image(description=f"Image {n}")
            post.save_revision().publish()
            posts.append(post)
        reader = make_post(tree.blog, title="Reader", slug="reader", date=at(2025, 7, 1))
        featured = make_list({"page": posts[0]})
        one_home, one_post = count_queries(client, "/"), count_queries(client, reader.url)
        for n, post in enumerate(posts[1:], start=1):
            featured.items.create(page=post, sort_order=n, image=make_image(), image_alt="Alt")
        many_home, many_post = count_queries(client, "/"), count_queries(client, reader.url)
        assert (many_home, many_post) == (one_home, one_post)

    def test_list_adds_a_fixed_number_of_queries(self, client, tree, story, make_list):
        reader = make_post(tree.blog, title="Reader", slug="reader", date=at(2025, 7, 1))
        without, first_without = count_queries(client, reader.url), first_render(reader.url)
        make_list({"page": story}, {"url": "https://example.com/", "title": "Out"})
        # Read once per content version (byline.core.frame): later renders read nothing.
        assert count_queries(client, reader.url) == without
        # The first render after a change looks for the items either way; with some, their
        # posts, their images and the images' renditions are fetched, one query each.
        assert first_render(reader.url) == first_without + 3
