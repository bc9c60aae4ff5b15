"""A post's preview in the admin shows the editor's unsaved state (title, tags, byline) and
leaves what readers get untouched; previews share one middleware chain per process."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from byline.blogs.models import Author, PostPageAuthor
from byline.core import frame, previews
from tests.factories import make_post


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reader():
    # The host previews are made for, so that a reader's remembered pieces are the ones a
    # preview would find.
    return Client(HTTP_HOST="localhost")


def edit_form(
    post, *, title: str, tags: str, author: Author, date: str = "2011-07-13 12:00"
) -> dict:
    """The edit form as the preview panel posts it: the post's credit replaced by `author`."""
    credits = list(PostPageAuthor.objects.filter(post=post).order_by("sort_order"))
    rows = [{"id": credit.pk, "author": credit.author_id, "DELETE": "on"} for credit in credits]
    return nested_form_data(
        {
            "title": title,
            "slug": post.slug,
            "date": date,
            "excerpt": "",
            "body": streamfield([("paragraph", rich_text("<p>Unsaved <i>body</i>.</p>"))]),
            "post_authors": inline_formset([*rows, {"author": author.pk}], initial=len(credits)),
            "tags": tags,
            "pinned_related": inline_formset([]),
            "comments_open": "on",
            "go_live_at": "",
            "expire_at": "",
        }
    )


def preview(editor, post, form: dict) -> str:
    url = f"/admin/pages/{post.pk}/edit/preview/"
    assert editor.post(url, form).json() == {"is_valid": True, "is_available": True}
    response = editor.get(url, {"in_preview_panel": "true", "mode": ""})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    return response.content.decode()


def article(html: str) -> str:
    start = html.index("<article")
    return html[start : html.index("</article>", start)]


def neighbours(html: str) -> dict[str, str]:
    return dict(re.findall(r'rel="(prev|next)"[^>]*><span>[^<]*</span> ([^<]+)</a>', html))


def tag_names(html: str) -> list[str]:
    return re.findall(r'rel="tag">([^<]+)</a>', article(html))


@pytest.mark.django_db
def test_a_preview_shows_the_unsaved_post_and_readers_keep_the_published_one(tree, editor, reader):
    """The reader's page is rendered (and its pieces remembered) first; the preview shows
    the unsaved title, body, tags and byline; then the reader's page is still the published
    post, twice (from the page store or rendered again)."""
    frame.forget()
    guest = Author.objects.create(name="Guest Writer", slug="guest-writer")
    post = make_post(
        tree.blog, title="Live title", slug="previewed", authors=[tree.author], tags=["azure"]
    )
    before = reader.get(post.url).content.decode()
    assert "Live title</h1>" in before and tag_names(before) == ["azure"]

    shown = preview(
        editor, post, edit_form(post, title="Unsaved title", tags="office, teams", author=guest)
    )
    assert "Unsaved title</h1>" in shown and "Live title" not in shown
    assert "Unsaved <i>body</i>." in article(shown)
    assert sorted(tag_names(shown)) == ["office", "teams"]
    assert "Guest Writer" in article(shown) and "Scott Bekker" not in article(shown)

    for _ in range(2):
        after = reader.get(post.url).content.decode()
        assert "Live title</h1>" in after and "Unsaved" not in after
        assert tag_names(after) == ["azure"]
        assert "Scott Bekker" in article(after) and "Guest Writer" not in after


@pytest.mark.django_db
def test_a_preview_shows_the_neighbours_of_its_unsaved_date(tree, editor, reader):
    """The posts around a post (kept per post and date, shared with readers) are those
    around the editor's date in a preview, and still those around the published date for
    readers, before and after it."""
    frame.forget()
    at = lambda day: datetime.datetime(2011, 7, day, 12, tzinfo=datetime.UTC)  # noqa: E731
    make_post(tree.blog, title="Earlier", date=at(5))
    post = make_post(tree.blog, title="Moved", date=at(10), authors=[tree.author])
    make_post(tree.blog, title="Later", date=at(15))
    assert neighbours(reader.get(post.url).content.decode()) == {
        "prev": "Earlier",
        "next": "Later",
    }
    form = edit_form(post, title="Moved", tags="", author=tree.author, date="2011-07-20 12:00")
    assert neighbours(preview(editor, post, form)) == {"prev": "Later"}
    assert neighbours(reader.get(post.url).content.decode()) == {
        "prev": "Earlier",
        "next": "Later",
    }


@pytest.mark.django_db
def test_previews_share_one_middleware_chain_until_settings_change(tree, editor, settings):
    """Loading the middleware (WhiteNoise's reads every static file's details) happens once
    per process, not per preview; a change of settings loads it again."""
    post = make_post(tree.blog, title="Previewed twice", authors=[tree.author])
    form = edit_form(post, title="Unsaved title", tags="", author=tree.author)
    preview(editor, post, form)
    chain = previews.preview_handler()._middleware_chain
    assert "Unsaved title</h1>" in preview(editor, post, form)
    assert previews.preview_handler()._middleware_chain is chain
    settings.BYLINE_PREVIEW_TEST_SETTING = True
    assert previews.preview_handler()._middleware_chain is not chain


@pytest.mark.django_db
def test_a_blogs_preview_shows_its_unsaved_title(tree, editor, reader):
    """A blog (a routable page) previews through the same handler: the editor's title on
    its front page, the published one for readers."""
    url = f"/admin/pages/{tree.blog.pk}/edit/preview/"
    form = nested_form_data(
        {
            "title": "Unsaved column",
            "slug": tree.blog.slug,
            "description": rich_text(""),
            "columnists": [],
            "comment_moderation": "",
            "close_comments_after_days": "",
            "in_news_sitemap": "on",
            "go_live_at": "",
            "expire_at": "",
        }
    )
    response = editor.post(url, form)
    assert response.json() == {"is_valid": True, "is_available": True}, response.content
    shown = editor.get(url, {"in_preview_panel": "true", "mode": ""}).content.decode()
    assert "Unsaved column" in shown
    assert "Unsaved column" not in reader.get(tree.blog.url).content.decode()


def test_every_page_type_of_byline_previews_through_the_shared_handler():
    from django.apps import apps
    from wagtail.models import Page

    ours = [
        model
        for model in apps.get_models()
        if issubclass(model, Page) and model.__module__.startswith("byline.")
    ]
    assert {"PostPage", "BlogPage", "PublicationPage"} <= {model.__name__ for model in ours}
    assert [
        model.__name__ for model in ours if not issubclass(model, previews.PreviewHandlerMixin)
    ] == []
