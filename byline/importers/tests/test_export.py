"""`byline export-wordpress`: a WXR file that imports back into Byline as the same site."""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from lxml import etree
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect

from byline.blogs.models import Author, PostPage
from byline.comments.models import ReaderComment
from byline.importers.models import ImportedItem
from byline.importers.tests.test_import import FILES
from byline.importers.wxr import WPItem, read_wxr


def site_state() -> dict:
    """What a reader sees of the imported blog, independent of primary keys."""
    posts = {}
    for post in PostPage.objects.order_by("slug"):
        posts[post.slug] = {
            "title": post.title,
            "live": post.live,
            "date": post.date,
            "excerpt": post.excerpt,
            "comments_open": post.comments_open,
            "authors": [a.name for a in post.authors],
            "tags": sorted(t.slug for t in post.tags.all()),
            "blocks": [b.block_type for b in post.body],
            # Whitespace between tags is not content (autop adds some on the way back in).
            "text": re.sub(
                r">\s+<",
                "><",
                " ".join(b.value.source for b in post.body if b.block_type == "paragraph"),
            ),
            "comments": sorted(
                (c.name, c.body, c.status, c.parent.name if c.parent else "")
                for c in ReaderComment.objects.filter(post=post)
            ),
        }
    return posts


def test_export_is_wxr_that_reads_back(tree, tmp_path):
    call_command(
        "import-wordpress", str(FILES / "small.xml"), "--blog", "small", stdout=io.StringIO()
    )
    target = tmp_path / "export.xml"
    call_command("export-wordpress", str(target), "--blog", "small", stdout=io.StringIO())
    root = etree.parse(str(target)).getroot()
    assert root.tag == "rss" and root.nsmap["wp"] == "http://wordpress.org/export/1.2/"
    records = list(read_wxr(str(target)))
    posts = [r for r in records if isinstance(r, WPItem)]
    assert sorted(p.post_name for p in posts) == [
        "coming-soon", "first-post", "second-post", "unfinished",
    ]  # fmt: skip
    first = next(p for p in posts if p.post_name == "first-post")
    assert first.status == "publish" and first.is_sticky
    assert len(first.comments) == 5


def test_round_trip_gives_the_same_posts_comments_authors_and_tags(tree, tmp_path):
    """Import, export, wipe the imported site, import the export: the same site again."""
    call_command(
        "import-wordpress", str(FILES / "small.xml"), "--blog", "small", stdout=io.StringIO()
    )
    before = site_state()
    authors_before = sorted(Author.objects.values_list("name", flat=True))
    tags_before = sorted(Tag.objects.values_list("slug", flat=True))
    target = tmp_path / "export.xml"
    call_command("export-wordpress", str(target), "--blog", "small", stdout=io.StringIO())

    # A fresh Byline: nothing of the first import is left.
    for post in PostPage.objects.all():
        post.delete()
    ImportedItem.objects.all().delete()
    Redirect.objects.all().delete()
    Tag.objects.all().delete()
    Author.objects.exclude(slug="scott-bekker").delete()

    call_command("import-wordpress", str(target), "--blog", "small", stdout=io.StringIO())
    after = site_state()
    assert after.keys() == before.keys()
    for slug in before:
        assert after[slug] == before[slug], slug
    assert sorted(Author.objects.values_list("name", flat=True)) == authors_before
    assert sorted(Tag.objects.values_list("slug", flat=True)) == tags_before
