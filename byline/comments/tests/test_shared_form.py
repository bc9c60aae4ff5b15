"""The empty comment form is rendered once for every post: each post still gets its own."""

from __future__ import annotations

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from byline.comments.forms import CommentForm
from byline.comments.models import CommentStatus, ReaderComment
from byline.comments.templatetags import comments_tags
from byline.core import frame
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def forms_built(monkeypatch) -> list[CommentForm]:
    """Every CommentForm the post page's tags build, in order."""
    frame.forget()
    built: list[CommentForm] = []

    class CountedForm(CommentForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(comments_tags, "CommentForm", CountedForm)
    return built


def comment_form(client, url: str) -> lxml.html.FormElement:
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.content).get_element_by_id("comment-form")


def send(client, form: lxml.html.FormElement, *, remote_addr: str, **fields):
    """What a browser sends from `form` as the page gave it, with the reader's fields."""
    data = dict(form.form_values())
    data.update(fields)
    return client.post(
        form.get("action"),
        data,
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        REMOTE_ADDR=remote_addr,
    )


def test_two_posts_share_one_form_and_each_comment_lands_on_its_post(
    client, tree, forms_built, policy_none, settings
):
    settings.BYLINE_FORMGUARD_MIN_SECONDS = 0  # sent at once, yet from a person
    first = make_post(tree.blog, title="First")
    second = make_post(tree.blog, title="Second")
    forms = [comment_form(client, first.url), comment_form(client, second.url)]
    assert len(forms_built) == 1  # one rendering of the widgets for both posts
    assert [form.get("action") for form in forms] == [
        f"/comments/post/{first.pk}/",
        f"/comments/post/{second.pk}/",
    ]
    tokens = {form.xpath(".//input[@name='formguard_token']")[0].get("value") for form in forms}
    assert len(tokens) == 1
    assert all(form.xpath(".//input[@name='parent']")[0].get("value") is None for form in forms)
    assert all(b"\x00" not in lxml.html.tostring(form) for form in forms)

    for number, (post, form) in enumerate(zip([first, second], forms, strict=True)):
        response = send(
            client,
            form,
            remote_addr=f"203.0.113.{number + 1}",
            name="Ann Reader",
            email="ann@example.com",
            body=f"On {post.title}",
        )
        comment = ReaderComment.objects.get(body=f"On {post.title}")
        assert comment.post_id == post.pk
        assert comment.status == CommentStatus.APPROVED
        assert response.status_code == 303
        assert response["Location"] == f"{post.url}#comment-{comment.pk}"


def test_a_closed_post_builds_no_form(client, tree, forms_built):
    closed = make_post(tree.blog, comments_open=False)
    html = client.get(closed.url).content.decode()
    assert "Comments are closed for this post." in html
    assert 'id="comment-form"' not in html
    assert forms_built == []


def test_the_form_is_made_again_after_five_minutes_with_no_more_queries(
    client, tree, forms_built, monkeypatch
):
    """The shared form is renewed for its token's sake; reading it again or building it
    anew runs the same queries (none of its own)."""
    now = 2_000_000_000.0
    monkeypatch.setattr(frame.time, "time", lambda: now)
    posts = [make_post(tree.blog) for _ in range(3)]
    first = comment_form(client, posts[0].url)  # also warms Wagtail's caches
    counts = []
    for post, later in [(posts[1], 60), (posts[2], comments_tags.FORM_SECONDS + 1)]:
        now += later
        with CaptureQueriesContext(connection) as queries:
            form = comment_form(client, post.url)
        counts.append(len(queries))
        assert form.get("action") == f"/comments/post/{post.pk}/"
    assert len(forms_built) == 2  # the first render's, and the renewal's
    assert counts[0] == counts[1], counts
    token = form.xpath(".//input[@name='formguard_token']")[0].get("value")
    assert token != first.xpath(".//input[@name='formguard_token']")[0].get("value")


def test_a_preview_renders_its_form_afresh(tree, forms_built):
    client = Client(HTTP_HOST="localhost")  # the host previews are made for
    post = make_post(tree.blog, slug="previewed")
    comment_form(client, post.url)
    assert len(forms_built) == 1
    response = post.make_preview_request()
    if hasattr(response, "render"):
        response.render()
    form = lxml.html.fromstring(response.content).get_element_by_id("comment-form")
    assert form.get("action") == f"/comments/post/{post.pk}/"
    assert len(forms_built) == 2


def test_a_refused_comment_comes_back_with_the_readers_input_and_address(client, post):
    response = send(
        client,
        comment_form(client, post.url),
        remote_addr="203.0.113.9",
        name="Ann Reader",
        email="not-an-address",
        body="My careful comment",
    )
    assert response.status_code == 400
    form = lxml.html.fromstring(response.content).get_element_by_id("comment-form")
    assert form.get("action") == f"/comments/post/{post.pk}/"
    assert form.xpath(".//textarea[@name='body']")[0].text.strip() == "My careful comment"
    assert form.xpath(".//p[contains(@class, 'field-email ')]//*[@class='field-error']")
    assert not ReaderComment.objects.exists()
