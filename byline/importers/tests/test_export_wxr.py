"""`byline export-wordpress` writes real WXR: its namespaces, attachments with absolute
addresses that answer, images at their original files, quotation speakers."""

from __future__ import annotations

import hashlib
import io
import re
from urllib.parse import urlsplit

from django.core.management import call_command
from lxml import etree
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, Site

from byline.blogs.models import Author, BlogPage, PostPage
from byline.comments.models import ReaderComment
from byline.importers.export import NSMAP
from byline.importers.models import ImportedItem
from byline.importers.tests.test_import import FILES
from byline.importers.wxr import WPItem, read_wxr
from byline.publication.models import StandardPage
from tests.factories import make_post

WP = NSMAP["wp"]


def test_export_is_wxr_with_attachments_and_speakers(tree, tmp_path, client, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://news.example"
    image = get_image_model().objects.create(title="A cat", file=get_test_image_file())
    post = make_post(
        tree.blog,
        slug="with-image",
        body=[
            ("figure", {"image": image, "caption": "The cat"}),
            ("quotation", {"text": "<p>Emphasis mine.</p>", "speaker": "Jane Doe"}),
        ],
    )
    post.lead_image = image
    post.save()
    target = tmp_path / "out.xml"
    call_command("export-wordpress", str(target), stdout=io.StringIO())
    raw = target.read_bytes()
    assert b"ns0:" not in raw and b"<wp:post_type>" in raw and b"<dc:creator>" in raw
    root = etree.parse(str(target)).getroot()  # a real XML parser reads it
    assert {root.nsmap[p] for p in ("wp", "content", "excerpt", "dc", "wfw")} == set(NSMAP.values())
    assert root.find(f"channel/{{{WP}}}wxr_version").text == "1.2"
    items = [i for i in read_wxr(str(target)) if isinstance(i, WPItem)]
    attachment = next(i for i in items if i.post_type == "attachment")
    url = attachment.attachment_url
    assert url.startswith("https://news.example/media/original_images/")
    assert client.get(urlsplit(url).path).status_code == 200  # the file exists on the site
    exported = next(i for i in items if i.post_name == "with-image")
    assert f'src="{url}"' in exported.content  # the original, not a 480-px rendition
    assert "[caption" in exported.content and "The cat" in exported.content
    assert "<cite>Jane Doe</cite>" in exported.content
    assert exported.meta["_thumbnail_id"] == str(attachment.wp_id)
    assert exported.link == f"https://news.example{post.url}"


def _site() -> dict:
    """What the site holds, independent of primary keys: posts (with their authors in
    order, tags, comments, lead image, figures), pages, authors, tags and images."""
    posts = {}
    for post in PostPage.objects.order_by("slug"):
        posts[post.slug] = {
            "title": post.title,
            "live": post.live,
            "date": post.date,
            "authors": [a.name for a in post.authors],
            "tags": sorted(t.slug for t in post.tags.all()),
            "comments": sorted(
                (c.name, c.body, c.status, c.kind) for c in ReaderComment.objects.filter(post=post)
            ),
            "lead_image": post.lead_image.title if post.lead_image else None,
            "figures": [b.value["image"].title for b in post.body if b.block_type == "figure"],
            "speakers": [b.value["speaker"] for b in post.body if b.block_type == "quotation"],
        }
    return {
        "posts": posts,
        "pages": sorted((p.url, p.title) for p in StandardPage.objects.all()),
        "authors": sorted(
            (a.name, a.email, a.website, a.bio)
            for a in Author.objects.filter(post_links__isnull=False).distinct()
        ),
        "tags": sorted(Tag.objects.values_list("slug", flat=True)),  # with posts or not
        "images": sorted(
            (i.title, hashlib.sha256(i.file.read()).hexdigest())
            for i in get_image_model().objects.all()
        ),
    }


def _file_name(url: str) -> str:
    """The file's name as uploaded: storage adds _<7 characters> when the name is taken."""
    return re.sub(r"(_[A-Za-z0-9]{7})?(\.\w+)$", r"\2", url.rsplit("/", 1)[-1])


def _items(path) -> list[tuple]:
    """What an export carries, independent of ids: each item's type, name, title, status,
    terms, comments and, for attachments, the file's name."""
    out = []
    for item in read_wxr(str(path)):
        if isinstance(item, WPItem):
            out.append((item.post_type, item.post_name, item.title, item.status,
                        sorted(item.terms), len(item.comments),
                        _file_name(item.attachment_url)))  # fmt: skip
    return sorted(out)


def test_round_trip_into_an_emptied_site_keeps_everything(tree, tmp_path, settings):
    """Import (WordPress posts, pages, comments, guest authors), add an image in Byline,
    export; empty the site down to Wagtail's first page; import the export with the media
    folder: the same posts, bylines, tags, comments, pages and images. Export again: the
    two exports carry the same items."""
    for name in ("small.xml", "coauthors-plus.xml", "addresses.xml"):
        call_command("import-wordpress", str(FILES / name), "--blog", "small", stdout=io.StringIO())
    image = get_image_model().objects.create(title="A cat", file=get_test_image_file())
    post = make_post(
        BlogPage.objects.get(slug="small"),
        slug="with-image",
        authors=[Author.objects.get(slug="jane-doe"), Author.objects.get(slug="ann")],
        body=[
            ("figure", {"image": image, "caption": "The cat"}),
            ("quotation", {"text": "<p>Emphasis mine.</p>", "speaker": "Jane Doe"}),
        ],
    )
    post.lead_image = image
    post.save_revision().publish()
    before = _site()
    # What the comparison covers (so that an empty site cannot pass it):
    assert before["posts"]["shared-byline"]["authors"] == ["Jane Doe", "Scott Bekker"]
    assert before["posts"]["with-image"]["figures"] == ["A cat"]
    assert before["posts"]["with-image"]["speakers"] == ["Jane Doe"]
    assert before["posts"]["first-post"]["comments"] and len(before["pages"]) == 4
    assert len(before["images"]) == 1 and len(before["tags"]) >= 2
    first = tmp_path / "first.xml"
    call_command("export-wordpress", str(first), "--blog", "small", "--pages", stdout=io.StringIO())

    # The uploads folder of the "old site": the exported files under their URL paths.
    uploads = tmp_path / "uploads"
    for original in get_image_model().objects.all():
        target = uploads / original.file.url.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(original.file.read())

    # An empty site: no pages but Wagtail's welcome page, no authors, tags or images.
    root = Page.get_first_root_node()
    welcome = root.add_child(instance=Page(title="Welcome", slug="welcome"))
    Site.objects.filter(is_default_site=True).update(root_page=welcome)
    tree.home.delete()
    ReaderComment.objects.all().delete()
    for model in (ImportedItem, Redirect, Tag, get_image_model()):
        model.objects.all().delete()
    Author.objects.all().delete()

    report = io.StringIO()
    call_command("import-wordpress", str(first), "--blog", "small", "--media-dir", str(uploads),
                 stdout=report)  # fmt: skip
    after = _site()
    assert after["posts"].keys() == before["posts"].keys()
    for slug in before["posts"]:
        assert after["posts"][slug] == before["posts"][slug], slug
    for key in ("pages", "authors", "tags", "images"):
        assert after[key] == before[key], key
    second = tmp_path / "second.xml"
    call_command(
        "export-wordpress", str(second), "--blog", "small", "--pages", stdout=io.StringIO()
    )
    assert _items(second) == _items(first)
