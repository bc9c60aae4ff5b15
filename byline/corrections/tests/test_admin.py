"""Editors' side: notes added through the Wagtail admin's snippet views."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from byline.corrections.models import Correction
from tests.factories import make_post

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_corrections_correction:add"
LIST = "wagtailsnippets_corrections_correction:list"


@pytest.fixture
def editor(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def form(post, **fields) -> dict:
    return {
        "post": post.pk,
        "kind": "correction",
        "published_at": "2025-06-05 10:00",
        "text": "The launch was in May.",
        **fields,
    }


def test_editor_adds_a_correction_to_a_published_post(editor, post):
    response = editor.post(reverse(ADD), form(post))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Correction.objects.get().post_id == post.pk
    assert "The launch was in May." in editor.get(post.url).content.decode()


def test_a_correction_on_an_unpublished_post_is_refused(editor, tree):
    draft = make_post(tree.blog, title="Draft story", live=False)
    response = editor.post(reverse(ADD), form(draft))
    assert response.status_code == 200
    assert "“Draft story” is not published" in response.content.decode()
    assert not Correction.objects.exists()


def test_the_post_chooser_offers_posts_only(editor):
    html = editor.get(reverse(ADD)).content.decode()
    assert "blogs.postpage" in html.lower()  # the chooser's target model


def test_corrections_are_listed_and_filtered_per_post(editor, tree, post, note):
    other = make_post(tree.blog, title="Azure pricing", slug="azure")
    note(post, text="On Ballmer.")
    note(other, text="On Azure.")
    response = editor.get(reverse(LIST), {"post": other.pk})
    assert [item.text for item in response.context["object_list"]] == ["On Azure."]
    assert len(editor.get(reverse(LIST)).context["object_list"]) == 2
