"""New posts written in batches (importers/bulk.py): the same rows as page by page, a sound tree."""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, transaction
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.models import IndexEntry

from byline.blogs.models import BlogPage, PostPage
from byline.comments.models import ReaderComment
from byline.importers import bulk, pages
from byline.importers.models import ImportedItem
from byline.importers.tests.test_import import run_import, snapshot
from byline.publication.models import StandardPage
from tests.factories import make_post

# Set when written, or numbered by the database: not what the two ways of writing share.
VOLATILE = {
    "id", "pk", "translation_key", "last_published_at", "latest_revision_created_at",
    "latest_revision", "live_revision", "latest_revision_id", "live_revision_id",
}  # fmt: skip

# A child row's id inside a reference's path (`post_authors.5.author`), and the positions in a
# PostgreSQL tsvector (`'news':29`): both follow how many rows were ever numbered (SQLite
# reuses the ids of deleted rows, PostgreSQL does not), not what was written.
CHILD_ID = re.compile(r"\.\d+\.")
LEXEME_POSITIONS = re.compile(r"(?<=')(:[0-9A-D,]+)")


def _plain(value):
    """`value` without its volatile keys, at any depth (stream block ids included)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if key not in VOLATILE}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return _plain(json.loads(value))
        except ValueError:
            return value
    return value


def _named(content_type_id: int, object_id: str) -> str:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return str(model._default_manager.get(pk=object_id))


def written(blog_slug: str) -> dict[str, dict]:
    """What the import wrote for each post of the blog, by slug, without ids and times."""
    blog = BlogPage.objects.get(slug=blog_slug)
    post_type = ContentType.objects.get_for_model(PostPage)
    result = {}
    for post in PostPage.objects.child_of(blog).order_by("path"):
        row = {
            field.attname: getattr(post, field.attname)
            for field in PostPage._meta.concrete_fields
            if field.attname not in VOLATILE and field.name != "page_ptr"
        }
        row["body"] = _plain(post.body.get_prep_value())
        row["revisions"] = [
            (_plain(revision.content), revision.object_str, revision.user_id)
            for revision in Revision.page_revisions.filter(object_id=str(post.pk))
        ]
        assert post.latest_revision_id == max(
            Revision.page_revisions.filter(object_id=str(post.pk)).values_list("pk", flat=True)
        )
        assert post.live_revision_id in {None, post.latest_revision_id}
        row["live revision"] = post.live_revision_id is not None
        row["log"] = list(
            PageLogEntry.objects.filter(page=post).values_list(
                "action", "label", "content_changed", "user_id", "revision_id", "data"
            )
        )
        row["tags"] = sorted(tag.name for tag in post.tags.all())
        row["bylines"] = list(post.post_authors.values_list("sort_order", "author_id", "name"))
        row["comments"] = [
            (c.name, c.email, c.body, c.body_html, c.status, c.kind, c.depth,
             c.parent.body if c.parent else None, c.created)
            for c in ReaderComment.objects.filter(post=post).order_by("created", "body")
        ]  # fmt: skip
        row["references"] = sorted(
            (
                r.model_path,
                CHILD_ID.sub(".#.", r.content_path),
                _named(r.to_content_type_id, r.to_object_id),
            )
            for r in ReferenceIndex.objects.filter(
                base_content_type=ContentType.objects.get_for_model(Page), object_id=str(post.pk)
            )
        )
        row["search"] = [
            tuple(LEXEME_POSITIONS.sub("", str(text)) for text in entry)
            for entry in IndexEntry.objects.filter(
                content_type=post_type, object_id=str(post.pk)
            ).values_list("title", "autocomplete", "body")
        ]
        row["mapping"] = list(
            ImportedItem.objects.filter(kind="post", object_id=post.pk).values_list(
                "wp_key", "guid", "old_url", "sticky", "object_model"
            )
        )
        result[post.slug] = row
    return result


def number_new_rows_from_the_highest_id() -> None:
    """PostgreSQL does not roll its sequences back with a transaction: number new rows from
    the highest id again (as SQLite does), so that authors, tags and images the second import
    makes get the ids the first one's had, and revisions naming them compare."""
    sql = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


@pytest.mark.parametrize("name", ["small.xml", "content-constructs.xml", "coauthors-plus.xml"])
def test_posts_written_in_bulk_are_those_written_page_by_page(tree, monkeypatch, name):
    # Earlier tests' rolled-back rows advanced the sequences: both imports start from one state.
    number_new_rows_from_the_highest_id()
    with transaction.atomic():
        with monkeypatch.context() as patch:
            patch.setattr(pages, "_written_in_bulk", lambda item, info: False)
            run_import(name, "--blog", "imported")
        one_by_one = written("imported")
        numchild = Page.objects.get(slug="imported").numchild
        transaction.set_rollback(True)
    assert not BlogPage.objects.filter(slug="imported").exists()
    number_new_rows_from_the_highest_id()
    report = run_import(name, "--blog", "imported")
    assert "posts created" in report
    in_bulk = written("imported")
    assert len(one_by_one) >= 2
    assert list(in_bulk) == list(one_by_one)  # the same posts, in the same order
    for slug, row in one_by_one.items():
        assert in_bulk[slug] == row, slug
    assert Page.objects.get(slug="imported").numchild == numchild


def test_the_tree_stays_sound_across_batches_and_single_writes(tree, monkeypatch):
    """Posts in batches of two, between the ones written one by one (scheduled, protected)
    and pages, below a post that was there before; then a re-run adds nothing."""
    monkeypatch.setattr(pages, "NEW_POSTS_BATCH", 2)
    make_post(tree.blog, slug="already-here")
    run_import("small.xml", "--blog", tree.blog.slug)
    run_import("protected.xml", "--blog", tree.blog.slug)
    run_import("content-constructs.xml", "--blog", tree.blog.slug)
    before = snapshot()
    report = run_import("small.xml", "--blog", tree.blog.slug)
    assert "posts created" not in report
    assert snapshot() == before
    assert [problem for problem in Page.find_problems() if problem] == []
    blog = Page.objects.get(pk=tree.blog.pk)
    children = list(PostPage.objects.child_of(blog).order_by("path"))
    assert blog.numchild == len(children) > 6
    assert children[0].slug == "already-here"
    paths = [child.path for child in children]
    assert len(set(paths)) == len(paths)
    for post in children:
        assert post.url_path == f"{blog.url_path}{post.slug}/"
        assert post.depth == blog.depth + 1 and post.numchild == 0
        assert post.latest_revision_id is not None
        assert post.live == (post.live_revision_id is not None)
        assert post.live or post.has_unpublished_changes
    # The file's order: small.xml's posts come before protected.xml's.
    slugs = [post.slug for post in children]
    assert slugs.index("second-post") < slugs.index("members-only") < slugs.index("open-to-all")


def test_a_failure_in_a_batch_leaves_nothing(tree, monkeypatch):
    before = snapshot()
    real = bulk.add_children

    def failing(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pages, "add_children", failing)
    with pytest.raises(RuntimeError):
        run_import("small.xml", "--blog", "small")
    assert snapshot() == before
    assert not PostPage.objects.search("Quoted")


def test_a_slug_taken_in_the_blog_is_refused_before_anything_is_written(tree):
    taken = make_post(tree.blog, slug="taken")
    blog = Page.objects.get(pk=tree.blog.pk)
    post = PostPage(title="Another", slug="taken", live=True)
    with pytest.raises(ValidationError, match="already in use"):
        bulk.add_children(blog, [post], next_path=lambda parent: bulk.next_child_path({}, parent))
    assert post.pk is None
    assert list(PostPage.objects.child_of(blog)) == [taken]


def test_a_post_written_in_bulk_shows_its_history_and_opens_in_the_editor(tree, client):
    run_import("small.xml", "--blog", "small")
    post = PostPage.objects.get(slug="first-post")
    draft = PostPage.objects.get(slug="unfinished")
    assert not draft.live and draft.has_unpublished_changes
    admin = get_user_model().objects.create_superuser("editor", "e@example.com", "pw")
    client.force_login(admin)
    history = client.get(f"/admin/pages/{post.pk}/history/")
    assert history.status_code == 200
    assert "Created" in history.content.decode()
    for page in (post, draft):
        assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    # The draft's revision is the one the editor opens.
    assert draft.get_latest_revision_as_object().title == draft.title
    assert StandardPage.objects.filter(slug="about").exists()
