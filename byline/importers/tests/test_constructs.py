"""Each construct of a WordPress post, classic and block-editor forms, imported and shown as
the author placed it: text, links, images (the right file, its link, alignment, size, empty
alt), galleries, captions, tables, code, embeds' URLs, footnotes, headings, comments.

The corpus is tests/files/content-constructs.xml; its attachments' files are made here, in a
--media-dir, the two WordPress.com-hosted ones among them (found there by their path).
"""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import pytest
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.embeds.finders import get_finders
from wagtail.images import get_image_model

from byline.blogs.models import PostPage
from byline.comments.models import ReaderComment

CORPUS = Path(__file__).resolve().parent / "files" / "content-constructs.xml"
FN1 = "a1b2c3d4-0000-4000-8000-000000000001"
FN2 = "b1b2c3d4-0000-4000-8000-000000000002"


def jpeg(path: Path, size: tuple[int, int], colour: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", size, colour).save(path, "JPEG")


def make_media(root: Path) -> Path:
    """The attachments' files, each image of its own size so that a test can tell them apart
    (banner.jpg and banner-1200x628.jpg are different pictures)."""
    month = root / "2021" / "03"
    for name, size, colour in [
        ("banner.jpg", (60, 30), "red"),
        ("banner-1200x628.jpg", (120, 63), "blue"),
        ("photo.jpg", (90, 60), "green"),
        ("g1.jpg", (40, 40), "yellow"),
        ("g2.jpg", (41, 41), "purple"),
        ("hosted.jpg", (50, 20), "orange"),
    ]:
        jpeg(month / name, size, colour)
    (month / "song.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 64)
    (month / "tune.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x01" * 64)
    return root


@pytest.fixture(autouse=True)
def providers_out_of_reach(settings):
    """The video providers' oEmbed endpoint on a closed local port: every lookup fails as it
    does when a provider is down or the network is out of reach, with or without a network
    where the tests run."""
    settings.WAGTAILEMBEDS_FINDERS = [
        {
            "class": "wagtail.embeds.finders.oembed",
            "providers": [
                {
                    "endpoint": "http://127.0.0.1:9/oembed",
                    "urls": [r"^https?://(www\.)?(youtube\.com|vimeo\.com)/.+$"],
                }
            ],
        }
    ]
    get_finders.cache_clear()
    yield
    get_finders.cache_clear()


@pytest.fixture
def report(tree, tmp_path) -> str:
    media = make_media(tmp_path / "uploads")
    out = io.StringIO()
    call_command(
        "import-wordpress", str(CORPUS), "--blog", "constructs", "--media-dir", str(media),
        stdout=out,
    )  # fmt: skip
    return out.getvalue()


def image(name: str):
    return get_image_model().objects.get(title=name)


def blocks_of(post: PostPage, kind: str) -> list:
    return [block.value for block in post.body if block.block_type == kind]


def test_titles_and_excerpts_are_plain_text_everywhere(report, client):
    classic = PostPage.objects.get(slug="classic")
    blocks = PostPage.objects.get(slug="blocks")
    assert classic.title == "Title With Markup"
    assert blocks.title == "Media & Text"
    assert classic.excerpt == "An excerpt with & in it"
    assert blocks.excerpt == "Media & Text"
    html = client.get(blocks.url).content.decode()
    assert "<title>Media &amp; Text" in html and "&amp;amp;" not in html
    assert "Media &amp; Text</h1>" in html
    html = client.get(classic.url).content.decode()
    assert "&lt;em&gt;" not in html and "Title With Markup</h1>" in html
    feed = feedparser.parse(client.get(f"{classic.get_parent().url}feed/").content)
    titles = {entry.title for entry in feed.entries}
    assert {"Title With Markup", "Media & Text"} <= titles


def test_classic_prose_and_what_rich_text_cannot_hold(report, client):
    post = PostPage.objects.get(slug="classic")
    html = client.get(post.url).content.decode()
    prose = str(post.body[0].value)
    assert "First line<br/>second line of the same paragraph." in prose
    # The image inside a paragraph is lifted out between its two halves.
    kinds = [block.block_type for block in post.body][:4]
    assert kinds == ["paragraph", "figure", "paragraph", "heading"]
    assert "Text before" in str(post.body[0].value)
    assert "text after the image." in str(post.body[2].value)
    # Headings: the h1 is a section (reported), h5 and h6 kept, ids kept, in-page link works.
    headings = blocks_of(post, "heading")
    assert [(h["level"], h["anchor"]) for h in headings] == [
        ("h2", "top-heading"), ("h5", "deep"), ("h6", "")
    ]  # fmt: skip
    assert "(h1) kept as a section (h2)" in report
    assert '<h5 id="deep">A fifth-level heading</h5>' in html
    assert 'href="#deep"' in html
    # The table in a table block, its merged cell kept; definition list, details, rule,
    # address: whole, in HTML blocks.
    (table,) = blocks_of(post, "table")
    assert table["data"] == [["Name", "Value"], ["Alpha", "1"], ["Wide cell", ""]]
    assert '<th scope="col">Name</th>' in html and '<td colspan="2">Wide cell</td>' in html
    assert "<dl>\n<dt>Term</dt>\n<dd>Its definition</dd>\n</dl>" in html
    assert "<details>\n<summary>More</summary>\n<p>Hidden details text</p></details>" in html
    assert "<hr>" in html and "<address>1 Example Street</address>" in html
    (code,) = blocks_of(post, "code")
    assert code["language"] == "python"
    assert code["code"] == 'def hello():\n    return "<world>"'
    assert (
        '<code class="language-python">def hello():\n    return &quot;&lt;world&gt;&quot;' in html
    )
    # The script is gone, and said so.
    assert "alert(" not in html and "<script> left out" in report


def test_classic_images_and_media(report, client):
    post = PostPage.objects.get(slug="classic")
    html = client.get(post.url).content.decode()
    photo, banner = blocks_of(post, "figure")
    # photo-300x200.jpg is a size of photo.jpg: no file of that name, so the one it came from.
    assert photo["image"].pk == image("photo.jpg").pk
    assert photo["image"].contextual_alt_text == "A photo"
    assert photo["link"] == image("photo.jpg").file.url
    assert (photo["alignment"], photo["size"]) == ("right", "medium")
    # alt="" is decorative: it stays empty, never the file's title.
    assert banner["image"].pk == image("banner.jpg").pk
    assert banner["image"].decorative and banner["image"].contextual_alt_text == ""
    assert (banner["alignment"], banner["size"]) == ("center", "large")
    assert banner["caption"] == "The banner, decorative"
    assert 'class="figure figure-right figure-size-medium"' in html
    centred = html[html.index('class="figure figure-center figure-size-large"') :]
    assert 'alt=""' in centred[: centred.index("</figure>")]
    assert f'<a href="{image("photo.jpg").file.url}"><picture' in html
    (gallery,) = blocks_of(post, "gallery")
    assert gallery["columns"] == 2
    assert [item["image"].pk for item in gallery["images"]] == [
        image("g1.jpg").pk,
        image("g2.jpg").pk,
    ]
    assert gallery["images"][0]["link"] == image("g1.jpg").file.url
    song = get_document_model().objects.get(title="song.mp3")
    assert f'<audio controls preload="metadata" src="{song.url}">' in html
    assert "constructs.example/wp-content/uploads/2021/03/clip.mp4" in html  # not an attachment


def test_embeds_keep_their_urls_and_captions(report, client):
    classic = PostPage.objects.get(slug="classic")
    urls = [embed["url"].url for embed in blocks_of(classic, "embed")]
    assert urls == ["https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://vimeo.com/76979871"]
    assert "<iframe> of https://www.youtube.com/embed/dQw4w9WgXcQ kept as an embed" in report
    assert "tracker.example/widget is not from an embed provider; kept as a link" in report
    html = client.get(classic.url).content.decode()
    # No network here: the provider does not answer, and the post links to the video.
    assert '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">' in html
    assert '<a href="https://tracker.example/widget">' in html
    assert "the provider did not answer" in report
    blocks = PostPage.objects.get(slug="blocks")
    embeds = blocks_of(blocks, "embed")
    assert [(e["url"].url, e["caption"]) for e in embeds] == [
        ("https://www.youtube.com/watch?v=abcdefghijk", "A captioned video"),
        ("https://vimeo.com/22439234", ""),  # it stood in a column
    ]
    html = client.get(blocks.url).content.decode()
    assert "<figcaption>A captioned video</figcaption>" in html
    assert '<a href="https://vimeo.com/22439234">' in html and "Beside the video" in html


def test_block_images_galleries_and_hosted_files(report, client):
    post = PostPage.objects.get(slug="blocks")
    html = client.get(post.url).content.decode()
    wide, hosted = blocks_of(post, "figure")
    # banner-1200x628.jpg is an attachment of its own: that file, not banner.jpg.
    assert wide["image"].pk == image("banner-1200x628.jpg").pk
    assert (wide["image"].width, wide["image"].height) == (120, 63)
    assert wide["link"] == "https://elsewhere.example/campaign"
    assert (wide["alignment"], wide["caption"]) == ("left", "The wide banner")
    # A WordPress.com-hosted image: imported from --media-dir, shown from this site.
    assert hosted["image"].pk == image("hosted.jpg").pk
    assert "constructsblog.files.wordpress.com/2021/03/hosted.jpg" not in html
    tune = get_document_model().objects.get(title="tune.mp3")
    assert f'<audio controls preload="metadata" src="{tune.url}">' in html
    # A hosted file that is not in the export stays where it was, and the report says so.
    assert "constructsblog.files.wordpress.com/2021/03/gone.jpg" in html
    assert "gone.jpg" in report
    new, old = blocks_of(post, "gallery")
    assert [i["caption"] for i in new["images"]] == ["Caption one", "Caption two"]
    assert new["caption"] == "Both pictures" and new["columns"] == 3
    assert [i["caption"] for i in old["images"]] == ["Old caption one", "Old caption two"]
    assert all(i["image"].decorative for i in old["images"])
    assert html.count('<li class="gallery-item">') == 4
    assert "<figcaption>Caption two</figcaption>" in html
    (code,) = blocks_of(post, "code")
    assert code["language"] == "css" and code["code"].startswith("body {\n  color: red;")


def test_footnotes_keep_their_text_and_links(report, client):
    post = PostPage.objects.get(slug="blocks")
    html = client.get(post.url).content.decode()
    # The reference links to its note; the note links back to it.
    assert f'<a href="#fn-{FN1}" id="fnref-{FN1}"><sup>1</sup></a>' in html
    assert f'<a href="#fn-{FN2}" id="fnref-{FN2}"><sup>2</sup></a>' in html
    assert f'<li id="fn-{FN1}"><p' in html
    assert "The <i>first</i> note, with" in html and 'href="https://source.example/"' in html
    assert f'href="#fnref-{FN1}"' in html and f'href="#fnref-{FN2}"' in html
    assert [block.block_type for block in post.body][-1] == "footnotes"
    heading = blocks_of(post, "heading")[0]
    assert heading["anchor"] == "block-heading"


def test_comment_html_keeps_its_links(report, client):
    comment = ReaderComment.objects.get()
    assert comment.body == (
        "Read this story (https://elsewhere.example/story), and not this.\n\nSecond\nline"
    )
    assert '<a href="https://elsewhere.example/story" rel="nofollow ugc noopener">' in (
        comment.body_html
    )
    assert "javascript" not in comment.body_html
