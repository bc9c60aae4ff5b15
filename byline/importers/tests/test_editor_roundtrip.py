"""Every imported post and page opens in Wagtail's editor, and saving it there changes nothing.

The body is stored in the form the editor reads back unchanged (richtext.py), and what rich
text cannot hold has a block of its own, so a save through the editor keeps every table,
list of terms, preformatted text, embed and image. Each corpus in tests/files is imported,
then every page is opened (200) and saved unchanged (a redirect: the form was valid); the
article rendered from the saved revision is the article rendered before.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Page

from byline.blogs.models import PostPage
from byline.importers.tests.editor import edit_and_save
from byline.importers.tests.test_constructs import make_media
from byline.publication.models import StandardPage

FILES = Path(__file__).resolve().parent / "files"
CORPORA = [
    FILES / "wordpress-theme-data" / "themeunittestdata.wordpress.xml",
    FILES / "wordpress-theme-data" / "theme-preview.xml",
    FILES / "small.xml",
    FILES / "content-constructs.xml",
]


def rendered(page: Page) -> str:
    return page.body.render_as_block()


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda path: path.name)
def test_every_imported_page_opens_and_saves_unchanged(tree, admin_client, corpus, tmp_path):
    media = ["--media-dir", str(make_media(tmp_path / "uploads"))]
    call_command(
        "import-wordpress", str(corpus), "--blog", "roundtrip", *media, stdout=io.StringIO()
    )
    pages = [*PostPage.objects.all(), *StandardPage.objects.all()]
    assert pages
    failures = []
    for page in pages:
        before = rendered(page)
        revisions = page.revisions.count()
        opened, saved = edit_and_save(admin_client, page)
        if (opened, saved) == (200, 423):
            continue  # opens; Wagtail refuses edits to a scheduled page until unscheduled
        if (opened, saved) != (200, 302):
            failures.append((page.title, opened, saved))
            continue
        assert page.revisions.count() == revisions + 1  # the save made a revision
        after = rendered(page.get_latest_revision_as_object())
        if after != before:
            failures.append((page.title, "changed on save", before, after))
    assert not failures, failures
