"""A new post offers back the drafts its editor left in the blog, holds autosave on their
titles and saves into the draft of the same title (drafts.py; in chromium:
tests/browser/test_admin_drafts.py)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from byline.blogs.models import PostPage
from byline.blogs.tests.test_admin import post_form
from tests.factories import make_post

TITLE = "Orphans of autosave"
AUTOSAVE = {"HTTP_ACCEPT": "application/json"}  # what Wagtail's autosave asks for


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def left(blog, owner, *, title=TITLE, excerpt="First go.") -> PostPage:
    """A post `owner` started in `blog` and never published."""
    draft = make_post(
        blog, title=title, slug=slugify(title), date=None, live=False, excerpt=excerpt
    )
    PostPage.objects.filter(pk=draft.pk).update(owner=owner)
    draft.refresh_from_db()
    return draft


def add_url(tree) -> str:
    return f"/admin/pages/add/blogs/postpage/{tree.blog.pk}/"


@pytest.mark.django_db
class TestOffer:
    def test_the_new_post_form_lists_the_editors_drafts_here(self, editor_client, editor, tree):
        """Only the editor's own never-published posts in this blog, not scheduled."""
        mine = left(tree.blog, editor)
        colleague = get_user_model().objects.create_user("colleague", "c@example.com", "pw")
        left(tree.blog, colleague, title="A colleague's draft")
        published = make_post(tree.blog, title="Published already")
        PostPage.objects.filter(pk=published.pk).update(owner=editor)
        scheduled = left(tree.blog, editor, title="Scheduled for Monday")
        scheduled.save_revision(approved_go_live_at=timezone.now() + datetime.timedelta(days=3))

        html = editor_client.get(add_url(tree)).content.decode()
        assert "You started these posts here and never published them" in html
        assert f'href="/admin/pages/{mine.pk}/edit/"' in html
        for other in ("A colleague's draft", "Published already", "Scheduled for Monday"):
            assert other not in html

    def test_nothing_is_offered_without_drafts(self, editor_client, tree):
        html = editor_client.get(add_url(tree)).content.decode()
        assert "never published them" not in html


@pytest.mark.django_db
class TestAutosave:
    def test_held_on_a_drafts_title_and_its_start(self, editor_client, editor, tree):
        """The footer's message names the draft; no page is made."""
        left(tree.blog, editor)
        for title, says in ((TITLE, "is already your draft here"), ("orphans  OF", "begins")):
            form = post_form(tree, title=title, slug="")
            response = editor_client.post(add_url(tree), form, **AUTOSAVE)
            assert response.status_code == 400
            answer = response.json()
            assert answer["error_code"] == "validation_error"  # autosave tries again later
            assert says in answer["error_message"] and TITLE in answer["error_message"]
        assert PostPage.objects.child_of(tree.blog).count() == 1

    def test_a_new_title_is_autosaved(self, editor_client, editor, tree):
        left(tree.blog, editor)
        form = post_form(tree, title="Orphans are adopted", slug="orphans-are-adopted")
        response = editor_client.post(add_url(tree), form, **AUTOSAVE)
        assert response.json()["success"] is True, response.json()
        assert PostPage.objects.child_of(tree.blog).count() == 2


@pytest.mark.django_db
class TestSave:
    def test_saving_with_a_drafts_title_goes_into_the_draft(self, editor_client, editor, tree):
        """The form becomes the draft's newest revision, its authors replacing the draft's;
        the first version stays in its history; nothing is published."""
        draft = left(tree.blog, editor)
        form = post_form(tree, title=TITLE, slug="orphans-of-autosave", excerpt="Second go.")
        response = editor_client.post(add_url(tree), {**form, "action-publish": "publish"})
        assert response.status_code == 302
        assert response["Location"] == f"/admin/pages/{draft.pk}/edit/"
        assert PostPage.objects.child_of(tree.blog).count() == 1
        draft.refresh_from_db()
        assert not draft.live
        latest = draft.get_latest_revision_as_object()
        assert latest.excerpt == "Second go."
        assert [link.author for link in latest.post_authors.all()] == [tree.author]
        excerpts = [revision.as_object().excerpt for revision in draft.revisions.order_by("pk")]
        assert excerpts == ["First go.", "Second go."]
        assert "was already your draft here" in editor_client.get(response["Location"]).text

    def test_a_colleagues_draft_is_another_post(self, editor_client, tree):
        """Nothing is taken from another editor: Wagtail refuses the slug, as before."""
        colleague = get_user_model().objects.create_user("colleague", "c@example.com", "pw")
        left(tree.blog, colleague)
        form = post_form(tree, title=TITLE, slug="orphans-of-autosave")
        response = editor_client.post(add_url(tree), form)
        assert response.status_code == 200
        assert "already in use" in response.text
        assert PostPage.objects.child_of(tree.blog).count() == 1
