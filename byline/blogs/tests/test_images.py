"""A post's images as readers get them: the lead image as a sized thumbnail in listings, at a
fixed number of queries however many posts, and above the post; images in a post's body."""

import datetime
import re

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from byline.images.tests.factories import make_image
from tests.factories import make_post


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


def attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))


def with_lead_image(post, description: str):
    post.lead_image = make_image(description=description)
    post.save_revision().publish()
    return post


def count_queries(client, url) -> int:
    client.get(url)  # warm Wagtail's site-root cache and make the renditions
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture(autouse=True)
def no_avif(settings):
    # AVIF encoding costs ~10x WebP's CPU; the images app's tests cover its markup.
    settings.BYLINE_IMAGES_AVIF = False


@pytest.mark.django_db
class TestPostImages:
    def test_lead_image_in_listings_is_a_sized_thumbnail(self, client, tree):
        post = make_post(tree.blog, title="A story", slug="a-story", date=at(2025, 6, 2))
        with_lead_image(post, "A chart of partner revenue")
        html = client.get("/blogs/bekkers-blog/").content.decode()
        img = re.search(r'<img [^>]*class="post-summary-image"[^>]*>', html).group(0)
        assert (attrs(img)["width"], attrs(img)["height"]) == ("160", "107")
        assert 'sizes="(min-width: 40rem) 10rem, 7rem"' in img
        assert 'alt="A chart of partner revenue"' in img

    def test_lead_image_is_above_the_post_body_sized_and_described(self, client, tree):
        """The text column's preset (uncropped: 2000×1000 gives 480×240 and 1600w), loaded
        at once as the first image a reader sees, between the headline and the body."""
        post = make_post(tree.blog, title="A story", slug="a-story", date=at(2025, 6, 2))
        post.lead_image = make_image(2000, 1000, description="A chart of partner revenue")
        post.save_revision().publish()
        page = lxml.html.fromstring(client.get(post.url).content)
        article = page.xpath("//article[@class='post']")[0]
        # The headline's block (headline, standfirst, credit) comes first.
        assert [child.get("class") or child.tag for child in article][:3] == [
            "post-header",
            "lead-image",
            "post-body",
        ]
        (img,) = article.xpath("./figure[@class='lead-image']//img")
        assert img.get("alt") == "A chart of partner revenue"
        assert (img.get("width"), img.get("height")) == ("480", "240")
        assert "1600w" in img.get("srcset") and img.get("loading") == "eager"
        assert img.get("sizes") == "(min-width: 45rem) 42rem, calc(100vw - 2.5rem)"
        assert not article.xpath(".//figcaption")  # none given, so no empty caption

    def test_lead_image_caption_and_credit_are_the_posts(self, client, tree):
        post = make_post(tree.blog, title="A story", slug="a-story", date=at(2025, 6, 2))
        post.lead_image = make_image(description="Steve Ballmer on stage")
        post.lead_image_caption = "Ballmer at WPC 2011 <script>alert(1)</script>"
        post.lead_image_credit = "Photo: Microsoft"
        post.save_revision().publish()
        page = lxml.html.fromstring(client.get(post.url).content)
        (caption,) = page.xpath("//figure[@class='lead-image']/figcaption")
        assert " ".join(caption.text_content().split()) == (
            "Ballmer at WPC 2011 <script>alert(1)</script> Photo: Microsoft"
        )
        assert not caption.xpath(".//script")
        assert caption.xpath("./span[@class='credit']")[0].text == "Photo: Microsoft"

    def test_a_post_without_a_lead_image_has_no_empty_figure(self, client, tree):
        post = make_post(tree.blog, title="Plain", slug="plain", date=at(2025, 6, 2))
        assert b"lead-image" not in client.get(post.url).content

    def test_image_in_a_post_body_is_responsive_with_its_alt_text(self, client, tree):
        image = make_image(2000, 1000)
        body = [
            ("paragraph", "<p>Before.</p>"),
            ("paragraph", "<p>Between.</p>"),
            (
                "figure",
                {
                    "image": {"image": image, "alt_text": "Ballmer on stage", "decorative": False},
                    "caption": "At WPC",
                },
            ),
        ]
        post = make_post(tree.blog, title="Pictured", body=body)
        html = client.get(post.url).content.decode()
        figure = re.search(r'<figure class="figure">.*?</figure>', html, re.S).group(0)
        img = re.search(r"<img [^>]*>", figure).group(0)
        assert 'alt="Ballmer on stage"' in img
        assert (attrs(img)["width"], attrs(img)["height"]) == ("480", "240")
        assert "1600w" in img and 'loading="lazy"' in img
        assert "<figcaption>At WPC" in figure

    def test_listing_thumbnails_cost_the_same_for_two_posts_or_eight(self, client, tree):
        def add(n):
            post = make_post(tree.blog, title=f"T{n}", slug=f"t{n}", date=at(2025, 5, n + 1))
            with_lead_image(post, f"Thumb {n}")

        for n in range(2):
            add(n)
        few = count_queries(client, "/blogs/bekkers-blog/")
        for n in range(2, 8):
            add(n)
        assert count_queries(client, "/blogs/bekkers-blog/") == few
