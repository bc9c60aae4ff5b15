"""Every link in every e-mail starts with the one base URL (BYLINE_BASE_URL, by default
http://127.0.0.1:<PORT>).

The bug this guards: a reply notification's "Read it" link came from the Site record
(http://localhost/…) and its unsubscribe link from the base URL, then fixed at port 8000
whatever PORT `make run` served on: one e-mail, two wrong hosts.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from byline.comments.models import ReaderComment
from byline.comments.tests.conftest import add_comment, submit
from byline.core import formguard
from byline.settings import env_origin
from tests.factories import build_site_tree, make_post

BASE = "http://127.0.0.1:9123"
BYLINE = [sys.executable, "-m", "byline.cli"]
# What a mail client would make a link of in plain text: a scheme, "://", then no space.
URL_RE = re.compile(r"""\b[a-z][a-z0-9+.-]*://[^\s<>"']+""", re.IGNORECASE)


class _HTMLLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in {"href", "src", "action"}]

    def handle_data(self, data):
        self.links += URL_RE.findall(data)


def links_in(message) -> list[str]:
    """Every link of a received message: each text part's (the HTML part's attributes and
    text), and the List-Unsubscribe header's (RFC 2369)."""
    links: list[str] = []
    for part in message.walk():
        if part.get_content_maintype() != "text":
            continue
        if part.get_content_subtype() == "html":
            parser = _HTMLLinks()
            parser.feed(part.get_content())
            links += parser.links
        else:
            links += URL_RE.findall(part.get_content())
    links += re.findall(r"<([^>]+)>", str(message.get("List-Unsubscribe", "")))
    return links


def assert_links_under_base(message) -> list[str]:
    links = links_in(message)
    assert links, f"no link in {message['Subject']!r}: nothing was checked"
    assert [link for link in links if not link.startswith(f"{BASE}/")] == []
    return links


@pytest.fixture
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE


def send_contact(client):
    """An author's contact form, sent as a person's browser sends it."""
    return client.post(
        "/authors/scott-bekker/contact/",
        {
            "name": "Ann Reader",
            "email": "ann@example.net",
            "subject": "Your column",
            "message": "Partners do like him.",
            formguard.TOKEN_FIELD: formguard.form_token("mailguard.contact", now=time.time() - 60),
            "phone": "",
        },
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )


@pytest.fixture
def tree(db):
    """The factories' Site record is Wagtail's first one, localhost:80, as on a site whose
    editors never changed it: no mail may take its host."""
    return build_site_tree()


@pytest.fixture
def post(tree):
    return make_post(tree.blog, title="Why Partners Like Steve Ballmer", slug="why")


@pytest.mark.django_db
class TestEveryMail:
    def test_moderation_mail(self, client, post, smtp, settings, base_url):
        settings.BYLINE_COMMENTS_MODERATION = "all"
        settings.BYLINE_COMMENTS_MODERATORS = ["desk@example.com"]
        submit(client, post, body="Held for a moderator.")
        [message] = smtp.messages
        links = assert_links_under_base(message)
        assert links == [f"{BASE}/admin/snippets/comments/readercomment/?status=pending"]

    def test_reply_notification_read_it_and_unsubscribe(
        self, client, post, smtp, settings, base_url
    ):
        """Both links and the header on the base URL's host, although the Site record says
        localhost:80, which post.get_full_url() would have used for "Read it"."""
        settings.BYLINE_COMMENTS_MODERATION = "none"
        assert post.get_full_url().startswith("http://localhost/")
        parent = add_comment(post, email="ann@example.com", body="Top", notify_replies=True)
        submit(client, post, email="bob@example.com", body="A reply.", parent=str(parent.pk))
        reply = ReaderComment.objects.get(body="A reply.")
        [message] = smtp.messages
        links = assert_links_under_base(message)
        read_it, unsubscribe, header = links
        assert read_it == f"{BASE}/blogs/bekkers-blog/2011/07/why/#comment-{reply.pk}"
        assert unsubscribe.startswith(f"{BASE}/comments/unsubscribe/")
        assert header == unsubscribe

    def test_contact_mail(self, client, tree, smtp, base_url):
        assert send_contact(client).status_code == 302
        [message] = smtp.messages
        assert assert_links_under_base(message) == [f"{BASE}/authors/scott-bekker/contact/"]

    def test_wagtail_password_reset_mail(self, client, tree, smtp, base_url):
        """Wagtail's own mail reads the same setting: WAGTAILADMIN_BASE_URL is the base URL."""
        get_user_model().objects.create_user("ed", "ed@example.com", "a long passphrase")
        response = client.post("/admin/password_reset/", {"email": "ed@example.com"})
        assert response.status_code == 302
        [message] = smtp.messages
        [link] = assert_links_under_base(message)
        assert link.startswith(f"{BASE}/admin/password_reset/confirm/")


class TestSetting:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("https://news.example.com/", "https://news.example.com"),
            ("http://127.0.0.1:9123", "http://127.0.0.1:9123"),
            ("", "http://127.0.0.1:8000"),
        ],
    )
    def test_an_origin_without_a_trailing_slash(self, monkeypatch, value, expected):
        monkeypatch.setenv("BYLINE_BASE_URL", value)
        assert env_origin("BYLINE_BASE_URL", "http://127.0.0.1:8000") == expected

    @pytest.mark.parametrize(
        "value",
        [
            "news.example.com",
            "ftp://news.example.com",
            "https://news.example.com/blog",
            "https://news.example.com?x=1",
            "http://127.0.0.1:port",
            "http://127.0.0.1:0",
            "http://:9000",
        ],
    )
    def test_anything_else_fails_at_start(self, monkeypatch, value):
        monkeypatch.setenv("BYLINE_BASE_URL", value)
        with pytest.raises(ImproperlyConfigured, match="BYLINE_BASE_URL must be"):
            env_origin("BYLINE_BASE_URL", "http://127.0.0.1:8000")

    def test_the_default_follows_port(self, tmp_path):
        """`PORT=9123 make run` (the Makefile exports PORT): no base URL set, port 9123."""
        env = {**os.environ, "BYLINE_VAR_DIR": str(tmp_path), "PORT": "9123"}
        env.pop("BYLINE_BASE_URL", None)
        read = "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)"
        result = subprocess.run(
            [*BYLINE, "shell", "-v0", "-c", read], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == BASE
