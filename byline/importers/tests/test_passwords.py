"""Password-protected WordPress posts and pages: restricted in Byline, and written back out.

protected.xml has a protected post (with an excerpt and a comment), an open post and a
protected page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Page, PageViewRestriction

from byline.blogs.models import PostPage
from byline.comments.models import ReaderComment
from byline.importers.models import ImportedItem
from byline.importers.tests.test_import import FILES, run_import, snapshot
from byline.importers.wxr import WPItem, read_wxr
from byline.publication.models import StandardPage
from tests.factories import make_post

PROTECTED = FILES / "protected.xml"
SECRET = "The secret plans are in the blue folder."


def password_of(page: Page) -> list[str]:
    return list(
        PageViewRestriction.objects.filter(
            page=page, restriction_type=PageViewRestriction.PASSWORD
        ).values_list("password", flat=True)
    )


def edited(tmp_path: Path, old: str, new: str) -> Path:
    """protected.xml with one change: the same export, edited in WordPress since."""
    text = PROTECTED.read_text()
    assert old in text
    changed = tmp_path / "edited.xml"
    changed.write_text(text.replace(old, new))
    return changed


def action_of(html: str) -> str:
    """Where the site's password form (templates/password_required.html) posts to."""
    return re.search(r'<form class="password-form"[^>]*\baction="([^"]+)"', html).group(1)


def test_a_protected_post_or_page_gets_a_password_restriction(tree):
    run_import("protected.xml", "--blog", "protected")
    assert password_of(PostPage.objects.get(slug="members-only")) == ["open sesame"]
    assert password_of(StandardPage.objects.get(slug="board-minutes")) == ["quorum"]
    assert password_of(PostPage.objects.get(slug="open-to-all")) == []
    # Still published as in WordPress: the restriction, not a draft, keeps readers out.
    assert PostPage.objects.get(slug="members-only").live


def test_readers_get_the_password_form_until_they_give_the_password(tree, client):
    """Wagtail's own password form, then the post (and its comment) once it is given; a
    wrong password gets the form again."""
    run_import("protected.xml", "--blog", "protected")
    post = PostPage.objects.get(slug="members-only")
    assert ReaderComment.objects.filter(post=post, status="approved").count() == 1
    response = client.get(post.url)
    html = response.content.decode()
    assert response.status_code == 200 and "Password required" in html
    assert SECRET not in html and "secret plans" not in html
    assert "The folder is green now." not in html
    action = action_of(html)

    wrong = client.post(action, {"password": "guess", "return_url": post.url})
    assert wrong.status_code == 200 and SECRET not in wrong.content.decode()
    assert SECRET not in client.get(post.url).content.decode()

    answer = client.post(action, {"password": "open sesame", "return_url": post.url})
    assert answer.status_code == 302 and answer["Location"] == post.url
    html = client.get(post.url).content.decode()
    assert SECRET in html and "The folder is green now." in html


def test_a_protected_page_asks_for_its_own_password(tree, client):
    run_import("protected.xml", "--blog", "protected")
    page = StandardPage.objects.get(slug="board-minutes")
    html = client.get(page.url).content.decode()
    assert "Password required" in html and "merger" not in html
    client.post(action_of(html), {"password": "quorum", "return_url": page.url})
    assert "merger" in client.get(page.url).content.decode()


def test_a_protected_post_has_no_excerpt(tree, client):
    """WordPress shows no excerpt for a protected post, and Byline shows excerpts to
    everyone (listings, feeds, the meta description): the export's excerpt is not kept."""
    run_import("protected.xml", "--blog", "protected")
    assert PostPage.objects.get(slug="members-only").excerpt == ""
    assert PostPage.objects.get(slug="open-to-all").excerpt == "For everybody."
    listing = client.get("/blogs/protected/").content.decode()
    assert "For everybody." in listing and "secret plans" not in listing


def test_the_report_lists_protected_items_without_their_passwords(tree):
    report = run_import("protected.xml", "--blog", "protected")
    assert (
        '  password-protected post "Members only" at /blogs/protected/2021/03/members-only/'
        in report.splitlines()
    )
    assert '  password-protected page "Board minutes" at /board-minutes/' in report.splitlines()
    assert report.count("password-protected") == 2
    assert "open sesame" not in report and "quorum" not in report
    # A re-run that changes nothing still says which items are protected.
    again = run_import("protected.xml", "--blog", "protected")
    assert "posts unchanged: 2" in again and again.count("password-protected") == 2


def test_a_second_run_keeps_one_restriction(tree):
    run_import("protected.xml", "--blog", "protected")
    restrictions = list(PageViewRestriction.objects.values_list("pk", "page_id", "password"))
    before = snapshot()
    run_import("protected.xml", "--blog", "protected")
    assert snapshot() == before
    assert list(PageViewRestriction.objects.values_list("pk", "page_id", "password")) == (
        restrictions
    )


def test_a_changed_password_replaces_the_old_one(tree, tmp_path, client):
    run_import("protected.xml", "--blog", "protected")
    post = PostPage.objects.get(slug="members-only")
    (restriction,) = PageViewRestriction.objects.filter(page=post)
    report = run_import(edited(tmp_path, "open sesame", "new words"), "--blog", "protected")
    assert "posts updated: 1" in report and "new words" not in report
    assert list(PageViewRestriction.objects.filter(page=post).values_list("pk", "password")) == [
        (restriction.pk, "new words")
    ]
    action = action_of(client.get(post.url).content.decode())
    client.post(action, {"password": "open sesame", "return_url": post.url})
    assert SECRET not in client.get(post.url).content.decode()
    client.post(action, {"password": "new words", "return_url": post.url})
    assert SECRET in client.get(post.url).content.decode()


def test_a_password_removed_in_wordpress_lifts_the_restriction(tree, tmp_path, client):
    run_import("protected.xml", "--blog", "protected")
    opened = edited(tmp_path, "<![CDATA[open sesame]]>", "")
    report = run_import(opened, "--blog", "protected")
    post = PostPage.objects.get(slug="members-only")
    assert password_of(post) == [] and "posts updated: 1" in report
    assert report.count("password-protected") == 1  # the page still is
    assert post.excerpt == "A summary of the secret plans."  # public now, as in WordPress
    assert SECRET in client.get(post.url).content.decode()
    assert password_of(StandardPage.objects.get(slug="board-minutes")) == ["quorum"]


def test_a_post_imported_openly_before_is_restricted_on_the_next_run(tree, tmp_path, client):
    """Imports before passwords were read made protected posts public; their digest then
    is the one of the item without its password, so the next run updates them."""
    run_import(edited(tmp_path, "<![CDATA[open sesame]]>", ""), "--blog", "protected")
    post = PostPage.objects.get(slug="members-only")
    assert password_of(post) == [] and post.excerpt

    report = run_import("protected.xml", "--blog", "protected")
    post.refresh_from_db()
    assert password_of(post) == ["open sesame"] and post.excerpt == ""
    assert "posts updated: 1" in report and "posts unchanged: 1" in report
    assert SECRET not in client.get(post.url).content.decode()


def test_dry_run_lists_protected_items_and_restricts_nothing(tree):
    report = run_import("protected.xml", "--blog", "protected", "--dry-run")
    assert report.count("password-protected") == 2
    assert not PageViewRestriction.objects.exists()


def test_a_failing_import_leaves_no_restriction(tree, monkeypatch):
    """The protected post is written first; the import fails on the page, last in the file."""
    from byline.importers import pages

    real = pages._write

    def failing(run, page, *args):
        if isinstance(page, StandardPage):
            raise RuntimeError("disk on fire")
        return real(run, page, *args)

    monkeypatch.setattr(pages, "_write", failing)
    with pytest.raises(RuntimeError):
        run_import("protected.xml", "--blog", "protected")
    assert not PageViewRestriction.objects.exists()
    assert not PostPage.objects.filter(slug="members-only").exists()


def export(tmp_path: Path, *args: str) -> dict[str, WPItem]:
    target = tmp_path / "export.xml"
    call_command("export-wordpress", str(target), *args, stdout=io.StringIO())
    return {r.post_name: r for r in read_wxr(str(target)) if isinstance(r, WPItem)}


def test_export_writes_the_passwords_back(tree, tmp_path):
    run_import("protected.xml", "--blog", "protected")
    items = export(tmp_path)
    assert items["members-only"].post_password == "open sesame"
    assert items["members-only"].status == "publish"
    assert items["board-minutes"].post_password == "quorum"
    assert items["open-to-all"].post_password == ""
    # A draft keeps its password too: WordPress would publish it openly later otherwise.
    PostPage.objects.get(slug="members-only").unpublish()
    items = export(tmp_path)
    assert items["members-only"].status == "draft"
    assert items["members-only"].post_password == "open sesame"


def test_export_gives_a_subtree_its_restricted_ancestors_password(tree, tmp_path):
    """In Wagtail a password covers the page's subtree; in WordPress each post has its own.
    A post under a restricted blog goes out with the blog's password, not public."""
    run_import("protected.xml", "--blog", "protected")
    PageViewRestriction.objects.create(
        page=tree.blog, restriction_type=PageViewRestriction.PASSWORD, password="blogwide"
    )
    make_post(tree.blog, title="Under the blog", slug="under-the-blog")
    items = export(tmp_path)
    assert items["under-the-blog"].post_password == "blogwide"
    assert items["members-only"].post_password == "open sesame"  # its own comes first


def test_round_trip_keeps_the_passwords(tree, tmp_path, client):
    """Import, export, wipe the imported site, import the export: the same restrictions."""
    run_import("protected.xml", "--blog", "protected")
    target = tmp_path / "export.xml"
    call_command("export-wordpress", str(target), stdout=io.StringIO())
    for page in [*PostPage.objects.all(), *StandardPage.objects.filter(depth=3)]:
        page.delete()
    ImportedItem.objects.all().delete()
    assert not PageViewRestriction.objects.exists()

    call_command("import-wordpress", str(target), "--blog", "protected", stdout=io.StringIO())
    assert password_of(PostPage.objects.get(slug="members-only")) == ["open sesame"]
    assert password_of(StandardPage.objects.get(slug="board-minutes")) == ["quorum"]
    assert password_of(PostPage.objects.get(slug="open-to-all")) == []
    post = PostPage.objects.get(slug="members-only")
    assert SECRET not in client.get(post.url).content.decode()
