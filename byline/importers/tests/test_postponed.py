"""The search and reference indexes an import brings up to date once, at the end."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ReferenceIndex
from wagtail.search.backends import get_search_backend

from byline.blogs.models import Author, PostPage
from byline.comments.models import ReaderComment
from byline.importers import pages
from byline.importers.quiet import index_references
from byline.importers.tests.test_import import run_import, snapshot


def test_imported_posts_are_found_by_search(tree):
    run_import("small.xml", "--blog", "small")
    found = PostPage.objects.live().search("Quoted")
    assert [post.slug for post in found] == ["first-post"]
    # The tags are indexed with the post (a RelatedFields of PostPage.search_fields).
    assert "first-post" in [post.slug for post in PostPage.objects.search("Kittens")]


def test_imported_pages_have_their_references_indexed(tree):
    run_import("small.xml", "--blog", "small")
    first = PostPage.objects.get(slug="first-post")
    author = Author.objects.get(slug="ann")
    assert ReferenceIndex.get_references_to(author).filter(object_id=str(first.pk)).exists()


def test_saves_after_an_import_update_the_indexes_again(tree):
    """The per-save receivers muted during the import are connected again afterwards."""
    run_import("small.xml", "--blog", "small")
    Author.objects.create(name="Zebulon Quaggard", slug="zebulon")
    assert [a.slug for a in get_search_backend().search("Quaggard", Author)] == ["zebulon"]
    first = PostPage.objects.get(slug="first-post")
    first.excerpt = "Platypus"
    first.save_revision().publish()
    assert [post.slug for post in PostPage.objects.search("Platypus")] == ["first-post"]


def test_a_failing_import_indexes_nothing_and_reconnects(tree, monkeypatch):
    before = snapshot()
    real = pages._write
    calls = []

    def failing(run, page, *args):
        calls.append(page)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(run, page, *args)

    monkeypatch.setattr(pages, "_write", failing)
    with pytest.raises(RuntimeError):
        run_import("small.xml", "--blog", "small")
    assert snapshot() == before
    assert not PostPage.objects.search("Quoted")
    Author.objects.create(name="Zebulon Quaggard", slug="zebulon")
    assert [a.slug for a in get_search_backend().search("Quaggard", Author)] == ["zebulon"]


def test_imported_comments_send_no_reply_mail(tree, mailoutbox):
    run_import("small.xml", "--blog", "small")
    assert ReaderComment.objects.filter(parent__isnull=False).exists()
    assert mailoutbox == []


def _reference_rows() -> set[tuple]:
    return set(
        ReferenceIndex.objects.values_list(
            "content_type_id", "base_content_type_id", "object_id", "to_content_type_id",
            "to_object_id", "model_path", "content_path", "content_path_hash",
        )
    )  # fmt: skip


def test_bulk_reference_indexing_writes_what_wagtail_writes(tree):
    """quiet.index_references() is Wagtail's create_or_update_for_object() done for many
    objects at once: the same rows, stale ones deleted, after an import and a re-index."""
    run_import("small.xml", "--blog", "small")
    imported = _reference_rows()
    ReferenceIndex.objects.all().delete()
    posts = list(PostPage.objects.all())
    for post in posts:
        ReferenceIndex.create_or_update_for_object(post)
    for comment in ReaderComment.objects.all():
        ReferenceIndex.create_or_update_for_object(comment)
    assert imported == _reference_rows()
    first = PostPage.objects.get(slug="first-post")
    first.post_authors.all().delete()  # its references to the author go stale
    index_references(PostPage, PostPage.objects.filter(pk__in=[post.pk for post in posts]))
    stale = ReferenceIndex.objects.filter(
        object_id=str(first.pk), model_path__startswith="post_authors"
    )
    assert not stale.exists()
    by_bulk = _reference_rows()
    for post in posts:
        ReferenceIndex.create_or_update_for_object(post)
    assert by_bulk == _reference_rows()


def test_new_objects_are_indexed_without_reading_their_rows(tree):
    """For objects inserted just now (Postponed.index_now()), index_references(new=True)
    writes the same rows without first reading the index for rows they cannot have."""
    run_import("small.xml", "--blog", "small")
    imported = _reference_rows()
    ReferenceIndex.objects.all().delete()
    posts = PostPage.objects.all()
    with CaptureQueriesContext(connection) as queries:
        index_references(PostPage, posts, new=True)
    index_references(ReaderComment, ReaderComment.objects.all(), new=True)
    assert imported == _reference_rows()
    table = ReferenceIndex._meta.db_table
    assert not [q["sql"] for q in queries if q["sql"].startswith("SELECT") and table in q["sql"]]
