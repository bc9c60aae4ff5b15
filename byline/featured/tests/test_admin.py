"""Editors' side: featured lists edited through the Wagtail admin."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from byline.featured.models import FeaturedList
from tests.factories import make_post


@pytest.fixture
def editor(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def list_form(name: str, items: list[dict], blog: str = "") -> dict:
    return nested_form_data(
        {
            "name": name,
            "blog": blog,
            "items": inline_formset(
                [
                    {
                        "page": "",
                        "url": "",
                        "title": "",
                        "summary": "",
                        "image": "",
                        "image_alt": "",
                        "show_from": "",
                        "show_until": "",
                        **item,
                    }
                    for item in items
                ]
            ),
        }
    )


@pytest.mark.django_db
class TestListAdmin:
    def test_editor_creates_an_ordered_list(self, editor, tree):
        first = make_post(tree.blog, title="First")
        second = make_post(tree.blog, title="Second")
        response = editor.post(
            reverse("wagtailsnippets_featured_featuredlist:add"),
            list_form(
                "Site-wide",
                [{"page": second.pk, "ORDER": 1}, {"page": first.pk, "ORDER": 2}],
            ),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        featured = FeaturedList.objects.get(name="Site-wide")
        assert [item.page_id for item in featured.items.all()] == [second.pk, first.pk]
        assert "Second" in editor.get("/").content.decode()

    def test_unpublished_page_and_backwards_window_are_refused(self, editor, tree):
        draft = make_post(tree.blog, title="Draft story", live=False)
        live = make_post(tree.blog, title="Live story")
        response = editor.post(
            reverse("wagtailsnippets_featured_featuredlist:add"),
            list_form(
                "Site-wide",
                [
                    {"page": draft.pk},
                    {
                        "page": live.pk,
                        "show_from": "2025-07-02 10:00",
                        "show_until": "2025-07-01 10:00",
                    },
                ],
            ),
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "“Draft story” is not published" in html
        assert "The window must end after it starts." in html
        assert not FeaturedList.objects.exists()

    def test_image_without_alt_text_is_refused(self, editor, tree, make_image):
        post = make_post(tree.blog, title="Story")
        response = editor.post(
            reverse("wagtailsnippets_featured_featuredlist:add"),
            list_form("Site-wide", [{"page": post.pk, "image": make_image().pk}]),
        )
        assert response.status_code == 200
        assert "Describe the image for readers who cannot see it" in response.content.decode()
