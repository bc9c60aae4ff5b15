"""`byline comments export EMAIL` and `byline comments erase EMAIL`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from byline.comments.models import CommentStatus, ReaderComment

from .conftest import add_comment

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("comments", *args, stdout=out)
    return out.getvalue()


def test_export_everything_about_one_address(post):
    add_comment(post, email="Ann@Example.com", name="Ann", body="Mine", website="https://a.example")
    add_comment(post, email="bob@example.com", body="Not mine")
    data = json.loads(run("export", "ANN@example.com"))
    assert data["email"] == "ann@example.com"
    [comment] = data["comments"]
    assert comment["body"] == "Mine" and comment["website"] == "https://a.example"
    assert comment["post_url"] == post.get_full_url()
    assert "Not mine" not in json.dumps(data)


def test_erase_deletes_and_empties_what_others_replied_to(post):
    lone = add_comment(post, email="ann@example.com", body="Lone")
    answered = add_comment(post, email="ann@example.com", body="Answered", notify_replies=True)
    reply = add_comment(post, email="bob@example.com", body="Reply", parent=answered)
    assert run("erase", "--dry-run", "ann@example.com").startswith("would erase 2 comments")
    assert ReaderComment.objects.count() == 3
    assert run("erase", "ann@example.com").startswith("erased 2 comments")
    assert not ReaderComment.objects.filter(pk=lone.pk).exists()
    emptied = ReaderComment.objects.get(pk=answered.pk)
    assert (emptied.name, emptied.email, emptied.body, emptied.status) == (
        "",
        "",
        "",
        CommentStatus.REMOVED,
    )
    assert ReaderComment.objects.get(pk=reply.pk).status == CommentStatus.APPROVED
    assert not ReaderComment.objects.by_email("ann@example.com").exists()


def test_erased_parent_leaves_the_reply_readable(client, post):
    answered = add_comment(post, email="ann@example.com", body="Answered")
    add_comment(post, email="bob@example.com", body="Still here", parent=answered)
    run("erase", "ann@example.com")
    html = client.get(post.url).content.decode()
    assert "Still here" in html and "Answered" not in html


def test_bad_address_is_a_command_error(db):
    with pytest.raises(CommandError):
        run("export", "not an address")
