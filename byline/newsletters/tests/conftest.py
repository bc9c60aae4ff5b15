"""Fixtures for newsletter tests: a site tree, a real SMTP server that can refuse addresses,
and a reader who fills the sign-up form like a person."""

from __future__ import annotations

import datetime
import email
import email.policy
import re
import socket
import time

import pytest
from django.utils import timezone

from byline.core import formguard
from byline.newsletters import scopes
from byline.newsletters.models import Subscriber, SubscriberStatus, Subscription
from tests.factories import build_site_tree, make_post


class MailServer:
    """An SMTP server's handler (aiosmtpd) that keeps what it accepts and answers RCPT TO
    for chosen addresses with a chosen reply: "550 …" (permanent) or "451 …" (temporary)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]


@pytest.fixture
def mailserver(settings):
    from aiosmtpd.controller import Controller

    handler = MailServer()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield handler
    controller.stop()


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
