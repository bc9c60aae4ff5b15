"""Details of reader pages an accessibility audit asked for: names for frames and linked
images, one name per landmark, titles that say where a reader is."""

from __future__ import annotations

import lxml.html
import pytest
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from byline.blogs.templatetags.blogs_tags import titled_frames
from byline.images.tests.factories import make_image
from tests.factories import build_site_tree, make_post


def page(client, url: str) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.content)


def test_a_frame_without_a_title_gets_the_first_name_there_is():
    html = '<iframe src="https://v.example/1"></iframe><iframe title="Kept" src="x"></iframe>'
    assert titled_frames(html, "") == html
    named = titled_frames(html, 'Talk "one" \\1')
    assert named.startswith('<iframe title="Talk &quot;one&quot; \\1" src="https://v.example/1">')
    assert '<iframe title="Kept" src="x">' in named and named.count("title=") == 2


@pytest.mark.django_db
def test_an_embedded_frame_is_named_by_its_caption_or_its_title(client):
    tree = build_site_tree()
    for url, title in [("https://video.example/1", "A talk"), ("https://video.example/2", "")]:
        Embed.objects.create(
            hash=get_embed_hash(url, 800),
            url=url,
            max_width=800,
            type="video",
            html=f'<iframe width="800" height="450" src="{url}/embed"></iframe>',
            title=title,
            thumbnail_url="",
            provider_name="Video",
        )
    body = [
        ("embed", {"url": "https://video.example/1", "caption": ""}),
        ("embed", {"url": "https://video.example/2", "caption": "The keynote"}),
    ]
    post = make_post(tree.blog, body=body)
    frames = page(client, post.url).xpath("//div[@class='post-body']//iframe")
    assert [frame.get("title") for frame in frames] == ["A talk", "The keynote"]


@pytest.mark.django_db
def test_a_linked_decorative_image_still_names_its_link(client):
    tree = build_site_tree()
    image = make_image(800, 400)
    body = [
        (
            "figure",
            {
                "image": {"image": image, "alt_text": "", "decorative": True},
                "caption": "The stage at WPC",
                "link": "https://example.org/wpc/",
            },
        ),
        (
            "figure",
            {
                "image": {"image": image, "alt_text": "Ballmer", "decorative": False},
                "link": "https://example.org/ballmer/",
            },
        ),
    ]
    post = make_post(tree.blog, body=body)
    links = page(client, post.url).xpath("//div[@class='post-body']//figure/a")
    assert links[0].get("aria-label") == "The stage at WPC"
    assert links[0].xpath(".//img")[0].get("alt") == ""
    assert links[1].get("aria-label") is None  # its image's alt text names it
    # The same image in both places: each keeps its own alt text (Wagtail gave both the last).
    assert links[1].xpath(".//img")[0].get("alt") == "Ballmer"


@pytest.mark.django_db
def test_landmarks_and_titles_say_where_a_reader_is(client):
    tree = build_site_tree()
    first = make_post(tree.blog, title="First")
    second = make_post(tree.blog, title="Second", date=first.date.replace(year=2012))
    html = page(client, second.url)
    assert html.xpath("//nav[@class='post-neighbours']")[0].get("aria-label") == (
        "Previous and next posts"
    )
    labels = [element.get("aria-label") for element in html.xpath("//*[@aria-label]")]
    assert len(labels) == len(set(labels)), labels
    form = html.get_element_by_id("comment-form")
    assert form.xpath(".//label[@for='id_notify_replies']")[0].text_content().strip() == (
        "E-mail me when someone replies"
    )
    for number in range(12):
        make_post(tree.blog, title=f"Searchable {number}")
    title = page(client, "/search/?q=searchable&page=2").findtext(".//title")
    assert title.startswith("Search: searchable (page 2) · ")
