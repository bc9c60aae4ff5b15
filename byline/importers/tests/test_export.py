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
from byline.publication.models import StandardPage


def _text(page) -> str:
    # Whitespace between tags is not content (autop adds some on the way back in).
    # Nor are the editor's random block keys (data-block-key), made afresh on each import.
    text = " ".join(b.value.source for b in page.body if b.block_type == "paragraph")
    # Nor is an empty paragraph, which shows nothing.
    text = re.sub(r' data-block-key="[^"]*"', "", re.sub(r">\s+<", "><", text))
    return text.replace("<p></p>", "")


def _comments(page) -> list[tuple]:
    return sorted(
        (c.name, c.body, c.status, c.kind, c.parent.name if c.parent else "")
        for c in ReaderComment.objects.filter(post=page)
    )


def site_state() -> dict:
    """What a reader sees of the imported site, independent of primary keys."""
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
            "text": _text(post),
            "comments": _comments(post),
        }
    pages = {}
    for page in StandardPage.objects.order_by("path"):
        pages[page.url_path] = {
            "title": page.title,
            "live": page.live,
            "url": page.url,
            "comments_open": page.comments_open,
            "blocks": [b.block_type for b in page.body],
            "text": _text(page),
            "comments": _comments(page),
        }
    return {"posts": posts, "pages": pages}


def export(tmp_path, *args: str) -> list[WPItem]:
    target = tmp_path / "export.xml"
    call_command("export-wordpress", str(target), *args, stdout=io.StringIO())
    return [r for r in read_wxr(str(target)) if isinstance(r, WPItem)]


def test_export_is_wxr_that_reads_back(tree, tmp_path):
    call_command(
        "import-wordpress", str(FILES / "small.xml"), "--blog", "small", stdout=io.StringIO()
    )
    target = tmp_path / "export.xml"
    call_command("export-wordpress", str(target), "--blog", "small", stdout=io.StringIO())
    root = etree.parse(str(target)).getroot()
    assert root.tag == "rss" and root.nsmap["wp"] == "http://wordpress.org/export/1.2/"
    posts = [r for r in read_wxr(str(target)) if isinstance(r, WPItem)]
    # One blog's export is its posts alone: the publication's pages are not the blog's.
    assert sorted(p.post_name for p in posts) == [
        "coming-soon", "first-post", "second-post", "unfinished",
    ]  # fmt: skip
    first = next(p for p in posts if p.post_name == "first-post")
    assert first.status == "publish" and first.is_sticky
    assert len(first.comments) == 5
    assert sorted(c.type for c in first.comments) == ["comment"] * 4 + ["pingback"]


def test_pages_are_exported_with_their_parents_and_comments(tree, tmp_path):
    call_command(
        "import-wordpress", str(FILES / "small.xml"), "--blog", "small", stdout=io.StringIO()
    )
    items = export(tmp_path)  # the whole site
    pages = {p.post_name: p for p in items if p.post_type == "page"}
    assert set(pages) == {"about", "team"}
    about, team = pages["about"], pages["team"]
    assert about.status == "publish" and about.post_parent == 0
    assert team.post_parent == about.wp_id and team.link.endswith("/about/team/")
    assert about.comment_status == "open" and team.comment_status == "closed"
    assert about.post_date_gmt == "2019-01-01 07:00:00"
    assert sorted(c.type for c in about.comments) == ["comment"] * 3 + ["trackback"]
    assert {p.post_name for p in export(tmp_path, "--blog", "small", "--pages")} >= {"team"}


def test_round_trip_gives_the_same_posts_pages_comments_authors_and_tags(tree, tmp_path):
    """Import, export, wipe the imported site, import the export: the same site again."""
    call_command(
        "import-wordpress", str(FILES / "small.xml"), "--blog", "small", stdout=io.StringIO()
    )
    before = site_state()
    assert len(before["posts"]) == 4 and len(before["pages"]) == 2
    authors_before = sorted(Author.objects.values_list("name", flat=True))
    tags_before = sorted(Tag.objects.values_list("slug", flat=True))
    target = tmp_path / "export.xml"
    call_command(
        "export-wordpress", str(target), "--blog", "small", "--pages", stdout=io.StringIO()
    )

    # A fresh Byline: nothing of the first import is left.
    for page in [*PostPage.objects.all(), *StandardPage.objects.filter(depth=3)]:
        page.delete()
    assert not StandardPage.objects.exists()
    ImportedItem.objects.all().delete()
    Redirect.objects.all().delete()
    Tag.objects.all().delete()
    Author.objects.exclude(slug="scott-bekker").delete()

    call_command("import-wordpress", str(target), "--blog", "small", stdout=io.StringIO())
    after = site_state()
    for kind in ("posts", "pages"):
        assert after[kind].keys() == before[kind].keys()
        for key in before[kind]:
            assert after[kind][key] == before[kind][key], key
    assert sorted(Author.objects.values_list("name", flat=True)) == authors_before
    assert sorted(Tag.objects.values_list("slug", flat=True)) == tags_before
