"""Fixtures for newsletter tests: a site tree, a real SMTP server that can refuse addresses
(the root conftest's), and a reader who fills the sign-up form like a person."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.utils import timezone

from byline.core import formguard
from byline.newsletters import scopes
from byline.newsletters.models import Subscriber, SubscriberStatus, Subscription
from tests.factories import build_site_tree, make_post


@pytest.fixture
def mailserver(smtp):
    """The root conftest's SMTP server (SMTPInbox): set `mailserver.refuse[address]` to have
    it answer RCPT TO for that address with "550 …" or "451 …", and
    `mailserver.refuse_message` to have it answer DATA, whoever the message is for, with
    "554 …" (a content policy), "552 …" (too large) and the like; `mailserver.refuse_data[address]`
    answers DATA that way only for a message to that address (as a sandboxed provider does
    for an address it has not verified)."""
    smtp.refuse_message = None
    smtp.refuse_data = {}
    accept = smtp.handle_DATA

    async def handle_DATA(server, session, envelope):  # aiosmtpd reads hooks per connection
        if smtp.refuse_message:
            return smtp.refuse_message
        for address in envelope.rcpt_tos:
            if address in smtp.refuse_data:
                return smtp.refuse_data[address]
        return await accept(server, session, envelope)

    smtp.handle_DATA = handle_DATA
    return smtp


@pytest.fixture(autouse=True)
def newsletter_settings(settings):
    settings.BYLINE_NEWSLETTERS_SEND_RATE = 0  # no pacing in tests: nothing here is timed
    settings.WAGTAIL_SITE_NAME = "Test"


@pytest.fixture
def tree(db):
    return build_site_tree()


def fresh_post(blog, **fields):
    """A post dated now, as an editor's new post is (old-dated ones are not mailed)."""
    fields.setdefault("date", timezone.now() - datetime.timedelta(minutes=1))
    return make_post(blog, **fields)


def add_subscriber(email_address, *, blog=None, author=None, everything=False, **fields):
    subscriber = Subscriber.objects.create(
        email=email_address,
        status=fields.pop("status", SubscriberStatus.CONFIRMED),
        confirmed_at=timezone.now(),
        **fields,
    )
    if blog is not None:
        Subscription.objects.create(subscriber=subscriber, blog=blog)
    if author is not None:
        Subscription.objects.create(subscriber=subscriber, author=author)
    if everything:
        Subscription.objects.create(subscriber=subscriber)
    return subscriber


def signup_data(scope: str, **fields) -> dict:
    data = {
        "email": "ann@example.com",
        "scope": scope,
        formguard.TOKEN_FIELD: formguard.form_token("newsletters.signup", now=time.time() - 60),
        "phone": "",
    }
    data.update(fields)
    return data


def sign_up(client, scope: str, *, remote_addr="203.0.113.10", headers=None, **fields):
    return client.post(
        "/newsletter/subscribe/",
        signup_data(scope, **fields),
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin", **(headers or {})},
        REMOTE_ADDR=remote_addr,
    )


def blog_scope(blog) -> str:
    return scopes.scope_of(blog=blog)


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"']+", text)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
