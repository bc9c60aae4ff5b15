"""Fixtures for comment tests: a site tree, a post, a reader who fills the form like a person."""

from __future__ import annotations

import time

import pytest

from byline.comments.models import CommentStatus, ReaderComment
from byline.core import formguard
from tests.factories import build_site_tree, make_post


@pytest.fixture
def tree(db):
    return build_site_tree()


@pytest.fixture
def post(tree):
    return make_post(tree.blog, title="Why Partners Like Steve Ballmer", slug="why")


def form_data(**fields) -> dict:
    """What a person's browser sends: every field, a token from a page loaded a minute ago."""
    data = {
        "name": "Ann Reader",
        "email": "ann@example.com",
        "website": "",
        "body": "A thoughtful comment.",
        formguard.TOKEN_FIELD: formguard.form_token("comments.comment", now=time.time() - 60),
        "phone": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, post, *, headers=None, remote_addr="203.0.113.10", **fields):
    return client.post(
        f"/comments/post/{post.pk}/",
        form_data(**fields),
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin", **(headers or {})},
        REMOTE_ADDR=remote_addr,
    )


def add_comment(post, *, status=CommentStatus.APPROVED, parent=None, **fields) -> ReaderComment:
    """A comment stored directly, as if already through the form and moderation."""
    values = {"name": "Bob", "email": "bob@example.com", "body": "Hello."}
    values.update(fields)
    return ReaderComment.objects.create(post=post, parent=parent, status=status, **values)


@pytest.fixture
def policy_none(settings):
    settings.BYLINE_COMMENTS_MODERATION = "none"
