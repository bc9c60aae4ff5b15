"""Reply notifications through a real SMTP server (aiosmtpd), with one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.core import signing

from byline.comments.models import CommentStatus, ReaderComment
from byline.comments.tasks import UNSUBSCRIBE_SALT, unsubscribe_url

from .conftest import add_comment, submit

pytestmark = pytest.mark.django_db


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def subscribed(post):
    return add_comment(post, name="Ann", email="ann@example.com", body="Top", notify_replies=True)


def test_reply_mails_the_subscriber_through_smtp(client, post, subscribed, smtp, policy_none):
    submit(
        client,
        post,
        name="Bob",
        email="bob@example.com",
        body="I disagree.",
        parent=str(subscribed.pk),
    )
    reply = ReaderComment.objects.get(body="I disagree.")
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["X-Envelope-To"] == "ann@example.com"
    assert message["Subject"].strip() == f"Bob replied to your comment on “{post.title}”"
    text = body_of(message)
    assert "I disagree." in text
    # The base URL (conftest: http://testserver), not the Site record's localhost:80.
    assert f"http://testserver{post.url}#comment-{reply.pk}" in text
    assert "bob@example.com" not in message.as_string()
    # RFC 8058 one-click unsubscribe, the same signed address as in the text.
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(
        r"<(http://testserver/comments/unsubscribe/[^>]+/)>", message["List-Unsubscribe"]
    )
    assert link and link.group(1) in text


def test_one_click_unsubscribe_from_the_mail(client, post, subscribed, smtp, policy_none):
    other = add_comment(post, email="ann@example.com", body="Another", notify_replies=True)
    submit(client, post, email="bob@example.com", body="Reply one", parent=str(subscribed.pk))
    path = re.search(r"http://testserver(/comments/unsubscribe/\S+/)", body_of(smtp.messages[0]))[1]
    page = client.get(path)
    assert page.status_code == 200 and b"<form" in page.content  # GET only asks
    assert ReaderComment.objects.get(pk=subscribed.pk).notify_replies
    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and b"no more e-mail" in done.content
    assert not ReaderComment.objects.filter(pk__in=[subscribed.pk, other.pk], notify_replies=True)
    submit(client, post, email="carol@example.com", body="Reply two", parent=str(subscribed.pk))
    assert len(smtp.messages) == 1


@pytest.mark.parametrize(
    "token",
    ["garbage", signing.dumps({"c": 1, "e": "x"}, salt="other"), "e30"],
    # Fixed ids: the signed token embeds the time, and parallel workers must collect the
    # same test names.
    ids=["garbage", "signed-with-another-salt", "unsigned-json"],
)
def test_forged_unsubscribe_link_is_a_400(client, post, token):
    assert client.post(f"/comments/unsubscribe/{token}/").status_code == 400
    assert client.get(f"/comments/unsubscribe/{token}/").status_code == 400


def test_unsubscribe_token_is_signed_for_the_address(subscribed):
    token = unsubscribe_url(subscribed).rstrip("/").rsplit("/", 1)[1]
    assert signing.loads(token, salt=UNSUBSCRIBE_SALT)["e"] == "ann@example.com"


def test_no_mail_without_subscription_or_to_oneself(client, post, smtp, policy_none):
    quiet = add_comment(post, email="quiet@example.com", body="Quiet", notify_replies=False)
    loud = add_comment(post, email="loud@example.com", body="Loud", notify_replies=True)
    submit(client, post, email="bob@example.com", body="to quiet", parent=str(quiet.pk))
    submit(client, post, email="loud@example.com", body="to myself", parent=str(loud.pk))
    assert smtp.messages == []


def test_held_reply_mails_only_once_approved(client, post, subscribed, smtp, settings):
    settings.BYLINE_COMMENTS_MODERATION = "all"
    settings.BYLINE_COMMENTS_MODERATORS = ["desk@example.com"]
    submit(client, post, email="bob@example.com", body="held reply", parent=str(subscribed.pk))
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["desk@example.com"]
    reply = ReaderComment.objects.get(body="held reply")
    reply.status = CommentStatus.APPROVED
    reply.save()
    reply.save()  # an edit after approval does not mail again
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["desk@example.com", "ann@example.com"]
