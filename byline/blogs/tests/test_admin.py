"""Editors write, publish and schedule posts and manage authors in the Wagtail admin."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from byline.blogs.models import Author, PostPage


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


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
        preview = editor_client.get(f"/admin/pages/{post.pk}/edit/preview/")
        assert preview.status_code == 200


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
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Author.objects.get(slug="kurt-mackie").email == "kmackie@example.com"
