"""Every link in every e-mail starts with the one base URL (BYLINE_BASE_URL, by default
http://127.0.0.1:<PORT>), and `byline demo` gives the Wagtail Site record the same address.

The bug this guards: a reply notification's "Read it" link came from the Site record
(http://localhost/…) and its unsubscribe link from the base URL, then fixed at port 8000
whatever PORT `make run` served on: one e-mail, two wrong hosts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from wagtail.models import Site

from byline.blogs.models import PostPage
from byline.comments.models import ReaderComment
from byline.comments.tests.conftest import add_comment, submit
from byline.core import formguard
from byline.demo.reference import POST_SLUG
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
def base_url(settings, tmp_path):
    settings.WAGTAILADMIN_BASE_URL = BASE
    settings.VAR_DIR = tmp_path  # where `byline demo` writes the admin's password


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


@pytest.mark.django_db
class TestDemoSite:
    def test_demo_site_agrees_with_the_base_url_and_the_mail(
        self, client, smtp, settings, base_url
    ):
        """On a new site `byline demo` gives the Site record the base URL's host and port, so
        the addresses Wagtail builds from it (page.get_full_url()) are the mailed ones."""
        settings.BYLINE_COMMENTS_MODERATION = "none"
        call_command("demo", verbosity=0)
        site = Site.objects.get(is_default_site=True)
        assert (site.hostname, site.port, site.root_url) == ("127.0.0.1", 9123, BASE)
        post = PostPage.objects.get(slug=POST_SLUG)
        parent = add_comment(post, email="ann@example.com", body="Top", notify_replies=True)
        submit(client, post, email="bob@example.com", body="A reply.", parent=str(parent.pk))
        reply = ReaderComment.objects.get(body="A reply.")
        [message] = smtp.messages
        read_it = assert_links_under_base(message)[0]
        assert read_it == f"{post.get_full_url()}#comment-{reply.pk}"

    def test_a_later_demo_run_moves_a_local_site_record(self, settings, base_url):
        settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
        call_command("demo", verbosity=0)
        settings.WAGTAILADMIN_BASE_URL = BASE
        call_command("demo", verbosity=0)
        site = Site.objects.get(is_default_site=True)
        assert (site.hostname, site.port) == ("127.0.0.1", 9123)
        assert PostPage.objects.get(slug=POST_SLUG).get_full_url().startswith(f"{BASE}/")

    def test_a_site_record_an_editor_named_is_left_alone(self, base_url):
        call_command("demo", verbosity=0)
        Site.objects.filter(is_default_site=True).update(hostname="news.example.com", port=443)
        call_command("demo", verbosity=0)
        site = Site.objects.get(is_default_site=True)
        assert (site.hostname, site.port) == ("news.example.com", 443)


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


SITE_AND_POST = """
import json
from django.conf import settings
from wagtail.models import Site
from byline.blogs.models import PostPage
site = Site.objects.get(is_default_site=True)
post = PostPage.objects.get(slug="why-partners-like-steve-ballmer")
print(json.dumps([settings.WAGTAILADMIN_BASE_URL, site.hostname, site.port, post.get_full_url()]))
"""


def test_byline_demo_under_port_follows_it(tmp_path, migrated_sqlite):
    """As `PORT=9123 make run` does it: the environment names a port and no base URL; the
    base URL, the Site record `byline demo` makes and the pages' addresses all follow. A later
    run under another port moves the record along."""
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }
    for name in ("BYLINE_BASE_URL", "REDIS_URL", "DATABASE_REPLICA_URL"):
        env.pop(name, None)

    def byline(*args: str, port: str = "9123") -> str:
        result = subprocess.run(
            [*BYLINE, *args], env={**env, "PORT": port}, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    shutil.copyfile(migrated_sqlite, tmp_path / "demo.sqlite3")
    byline("migrate", "--noinput", "-v0")  # as `make run` does; nothing left to apply
    byline("demo", "-v0")
    base, hostname, port, post_url = json.loads(byline("shell", "-v0", "-c", SITE_AND_POST))
    assert (base, hostname, port) == (BASE, "127.0.0.1", 9123)
    assert post_url == f"{BASE}/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"

    assert "http://127.0.0.1:9124" in byline("demo", port="9124")
    assert json.loads(byline("shell", "-v0", "-c", SITE_AND_POST, port="9124"))[1:3] == [
        "127.0.0.1",
        9124,
    ]
