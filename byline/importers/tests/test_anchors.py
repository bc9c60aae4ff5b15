"""Imported comments keep their WordPress anchors (#comment-881) through the import's mappings."""

from __future__ import annotations

import io

import lxml.html
from django.core.management import call_command

from byline.comments.models import ReaderComment
from byline.importers.anchors import old_comment_anchors
from byline.importers.tests.test_import import FILES


def test_each_imported_comment_knows_its_old_anchor(tree):
    call_command("import-wordpress", str(FILES / "addresses.xml"), "--blog", "col",
                 stdout=io.StringIO())  # fmt: skip
    comment = ReaderComment.objects.get(name="Reader")
    native = ReaderComment.objects.create(
        post=comment.post, name="Later", body="Written in Byline", status="approved"
    )
    anchors = old_comment_anchors([comment.pk, native.pk])
    assert anchors == ({comment.pk: "comment-881"} if comment.pk != 881 else {})
    assert old_comment_anchors([]) == {}


def test_an_old_anchor_that_is_another_comments_own_is_left_out(tree):
    """Comment 881's old anchor would be the id of the Byline comment whose id is 881."""
    call_command("import-wordpress", str(FILES / "addresses.xml"), "--blog", "col",
                 stdout=io.StringIO())  # fmt: skip
    comment = ReaderComment.objects.get(name="Reader")
    other = ReaderComment.objects.create(
        pk=881, post=comment.post, name="Clash", body="Same number", status="approved"
    )
    assert old_comment_anchors([comment.pk, other.pk]) == {}
    assert old_comment_anchors([comment.pk]) == {comment.pk: "comment-881"}


def test_an_old_link_to_a_comment_lands_on_it(tree, client):
    """The post page carries #comment-881 inside the imported comment's own list item."""
    call_command("import-wordpress", str(FILES / "addresses.xml"), "--blog", "col",
                 stdout=io.StringIO())  # fmt: skip
    comment = ReaderComment.objects.get(name="Reader")
    response = client.get(comment.post.specific.url)
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content)
    [old] = page.xpath('//*[@id="comment-881"]')
    if comment.pk != 881:
        assert old.tag == "span"
        assert old.getparent().get("id") == f"comment-{comment.pk}"


def test_more_comments_than_one_statement_can_name(tree):
    """A thread longer than the database's limit on bound values (SQLite 32,766, or 250,000 as
    Debian builds it; PostgreSQL 65,535) is looked up in batches rather than failing the page."""
    call_command("import-wordpress", str(FILES / "addresses.xml"), "--blog", "col",
                 stdout=io.StringIO())  # fmt: skip
    comment = ReaderComment.objects.get(name="Reader")
    unknown = range(10_000_000, 10_260_000)
    anchors = old_comment_anchors([*unknown, comment.pk])
    assert anchors == ({comment.pk: "comment-881"} if comment.pk != 881 else {})
