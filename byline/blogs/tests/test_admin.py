"""Editors write, publish and schedule posts and manage authors in the Wagtail admin."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from byline.blogs.models import Author, PostPage
from byline.core.security import PREVIEW_POLICY, READER_POLICY
from tests.factories import make_post


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def preview_in_panel(editor_client, tree, post):
    """What the preview panel does: post the form as it stands, then load the preview."""
    url = f"/admin/pages/{post.pk}/edit/preview/"
    form = post_form(tree, title=post.title, slug=post.slug)
    assert editor_client.post(url, form).json() == {"is_valid": True, "is_available": True}
    return editor_client.get(url, {"in_preview_panel": "true", "mode": ""})


def post_form(tree, **overrides):
    data = {
        "title": "Written in the admin",
        "slug": "written-in-the-admin",
        "date": "",
        "excerpt": "An excerpt.",
        "body": streamfield(
            [
                ("paragraph", rich_text("<p>Hello <i>readers</i>.</p>")),
                (
                    "quotation",
                    {
                        "text": rich_text("<p>Quoted <b>words</b>.</p>"),
                        "speaker": "Someone",
                        "source_title": "the transcript",
                        "source_url": "https://example.com/transcript",
                        "date": "2011-07-11",
                        "emphasis_added": "on",
                    },
                ),
            ]
        ),
        "post_authors": inline_formset([{"author": tree.author.pk}]),
        "tags": "Microsoft, Partners",
        "pinned_related": inline_formset([]),
        "comments_open": "on",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(overrides)
    return nested_form_data(data)


@pytest.mark.django_db
class TestPostEditing:
    def test_publish_from_the_admin(self, editor_client, tree, client):
        url = f"/admin/pages/add/blogs/postpage/{tree.blog.pk}/"
        assert editor_client.get(url).status_code == 200
        response = editor_client.post(url, {**post_form(tree), "action-publish": "publish"})
        assert response.status_code == 302, response.content[:2000]
        post = PostPage.objects.get(slug="written-in-the-admin")
        assert post.live
        assert post.date is not None  # dated when it went live
        assert post.authors == [tree.author]
        assert sorted(tag.name for tag in post.tags.all()) == ["Microsoft", "Partners"]
        editor_client.logout()
        html = client.get(post.url).content.decode()
        assert "<i>readers</i>" in html and "<b>words</b>" in html
        assert "(emphasis added)" in html

    def test_schedule_from_the_admin(self, editor_client, tree, client):
        when = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
        url = f"/admin/pages/add/blogs/postpage/{tree.blog.pk}/"
        form = post_form(tree, go_live_at=when.strftime("%Y-%m-%d %H:%M"))
        response = editor_client.post(url, {**form, "action-publish": "publish"})
        assert response.status_code == 302, response.content[:2000]
        post = PostPage.objects.get(slug="written-in-the-admin")
        assert not post.live
        assert post.scheduled_revision is not None
        assert b"Written in the admin" not in client.get("/blogs/bekkers-blog/").content

    def test_draft_is_previewable_but_not_public(self, editor_client, tree, client):
        url = f"/admin/pages/add/blogs/postpage/{tree.blog.pk}/"
        response = editor_client.post(url, post_form(tree))
        assert response.status_code == 302
        post = PostPage.objects.get(slug="written-in-the-admin")
        assert not post.live
        preview = preview_in_panel(editor_client, tree, post)
        assert preview.status_code == 200
        assert "Written in the admin</h1>" in preview.content.decode()
        assert client.get(f"/blogs/bekkers-blog/{post.slug}/").status_code == 404

    def test_previews_may_be_framed_by_the_admin_only(self, editor_client, tree, client):
        """Wagtail renders a preview as a request to the page's own address, which gets the
        reader policy; the admin shows it in a frame of its own, so a preview (the panel's
        frame, "Preview in new tab", a revision) says frame-ancestors 'self' and
        X-Frame-Options SAMEORIGIN, and the published page still forbids any framing."""
        post = make_post(tree.blog, title="Written in the admin", authors=[tree.author])
        revision = reverse(
            "wagtailadmin_pages:revisions_view", args=[post.pk, post.latest_revision_id]
        )
        previews = [
            preview_in_panel(editor_client, tree, post),
            editor_client.get(f"/admin/pages/{post.pk}/edit/preview/"),  # in a new tab
            editor_client.get(revision),
        ]
        for preview in previews:
            assert "Written in the admin</h1>" in preview.content.decode()
            assert preview["Content-Security-Policy"] == PREVIEW_POLICY
            assert preview["X-Frame-Options"] == "SAMEORIGIN"
        reader = dict(part.split(" ", 1) for part in READER_POLICY.split("; "))
        preview = dict(part.split(" ", 1) for part in PREVIEW_POLICY.split("; "))
        assert preview == {**reader, "frame-ancestors": "'self'"}

        editor_client.logout()
        page = client.get(post.url)
        assert page.status_code == 200
        assert page["Content-Security-Policy"] == READER_POLICY
        assert page["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_authors_are_snippets_editors_can_add(editor_client):
    assert editor_client.get("/admin/snippets/blogs/author/").status_code == 200
    response = editor_client.post(
        "/admin/snippets/blogs/author/add/",
        {
            "name": "Kurt Mackie",
            "slug": "kurt-mackie",
            "role": "",
            "bio": "Writes news.",
            "email": "kmackie@example.com",
            "website": "",
            **nested_form_data({"links": inline_formset([])}),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Author.objects.get(slug="kurt-mackie").email == "kmackie@example.com"
