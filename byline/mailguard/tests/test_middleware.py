"""The middleware on real responses: which it protects, how, and what it leaves alone."""

from __future__ import annotations

import gzip
import itertools
from types import SimpleNamespace

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from byline.mailguard.directory import CACHE_KEY
from byline.mailguard.middleware import MailguardMiddleware, response_kind
from byline.mailguard.tests.harvest import harvest
from byline.mailguard.tests.test_protect import payloads
from tests.factories import AuthorFactory, build_site_tree, make_post

BEKKER = "sbekker@example.com"
TRICKY_BODY = [
    ("paragraph", f'<p>Mail <a href="mailto:{BEKKER}">{BEKKER}</a> or tips@news.example.org.</p>'),
    ("paragraph", "<p>Split: sbekker&#64;example.com, sbekker%40example.com.</p>"),
]


@pytest.fixture
def tree(db):
    return build_site_tree()


def run(response: HttpResponse, path: str = "/feed/") -> HttpResponse:
    """The middleware alone, around a view that returns `response`."""
    request = RequestFactory().get(path)
    return MailguardMiddleware(lambda request: response)(request)


@pytest.mark.django_db
class TestPages:
    def test_post_page_has_no_plain_address_and_its_invitation_is_protected(self, client, tree):
        post = make_post(tree.blog, authors=[tree.author], body=TRICKY_BODY)
        html = client.get(post.url).content.decode()
        assert harvest(html) == set()
        invitation = html.split('<p class="invitation">')[1].split("</p>")[0]
        # "write to Scott Bekker" without JavaScript; mailguard.js makes it "e-mail me at"
        # the address.
        assert invitation.startswith(
            '<a href="#comments">Comment below</a> or '
            '<span data-mailguard-lead="e-mail me at">write to</span> <a'
        )
        assert 'href="/authors/scott-bekker/contact/"' in invitation
        assert invitation.endswith(">Scott Bekker</a>.")
        assert f"mailto:{BEKKER}" in payloads(invitation)
        # The body's mailto link now points at the contact page too, and the unknown address
        # is a placeholder the script will fill.
        assert "mailto:tips@news.example.org" in payloads(html)

    def test_invitation_without_comments_or_address(self, client, tree):
        closed = make_post(tree.blog, authors=[tree.author], comments_open=False)
        html = client.get(closed.url).content.decode()
        assert (
            '<p class="invitation"><span data-mailguard-lead="E-mail me at">Write to</span> '
            '<a class="mailguard"'
        ) in html
        nobody = AuthorFactory(email="")
        silent = make_post(tree.blog, authors=[nobody], comments_open=False)
        assert 'class="invitation"' not in client.get(silent.url).content.decode()
        open_ = make_post(tree.blog, authors=[nobody])
        html = client.get(open_.url).content.decode()
        assert '<p class="invitation"><a href="#comments">Comment below</a>.</p>' in html

    def test_invitation_names_every_author_who_can_be_written_to(self, client, tree):
        other = AuthorFactory(name="Kurt Mackie", slug="kurt-mackie")
        post = make_post(tree.blog, authors=[tree.author, other])
        html = client.get(post.url).content.decode()
        assert '<span data-mailguard-lead="e-mail us at">write to</span> <a' in html
        assert ">Scott Bekker</a> or <a" in html
        assert harvest(html) == set()

    def test_public_address_is_shown_as_it_is(self, client, tree):
        tree.author.email_is_public = True
        tree.author.save()
        post = make_post(tree.blog, authors=[tree.author], body=TRICKY_BODY)
        html = client.get(post.url).content.decode()
        assert f'e-mail me at <a href="mailto:{BEKKER}">{BEKKER}</a>.' in html
        assert harvest(html) == {BEKKER}

    def test_author_page_offers_protected_address_and_contact_form(self, client, tree):
        html = client.get("/authors/scott-bekker/").content.decode()
        assert harvest(html) == set()
        # "E-mail:" once the script shows the address; without it, only "e-mail Scott Bekker".
        assert (
            '<span data-mailguard-lead="E-mail:"></span> '
            '<a class="mailguard" href="/authors/scott-bekker/contact/"'
        ) in html
        assert '<a href="/authors/scott-bekker/contact/">Send Scott Bekker a message</a>' in html

    def test_page_loads_the_decoding_script(self, client, tree):
        post = make_post(tree.blog, authors=[tree.author])
        assert (
            b'<script src="/static/js/mailguard.js" defer></script>' in client.get(post.url).content
        )

    def test_fresh_key_per_content_version(self, client, tree, monkeypatch):
        """A post's protected addresses are made with a fresh key each time the post is
        rendered anew; a render remembered for the content version (byline.core.frame) keeps
        its key, as a stored page keeps its own."""
        from byline.core import frame
        from byline.mailguard import addresses

        # Keys are drawn from 255; two random draws agree one time in 255. Drawing them in
        # turn makes "a fresh key" mean a different one, every run.
        draws = itertools.count()
        monkeypatch.setattr(
            addresses, "secrets", SimpleNamespace(randbelow=lambda n: next(draws) % n)
        )
        post = make_post(tree.blog, authors=[tree.author])
        first, again = (client.get(post.url).content.decode() for _ in range(2))
        frame.bump()
        second = client.get(post.url).content.decode()
        assert payloads(first) == payloads(second) == payloads(again)
        assert first != second
        assert first == again

    def test_editors_admin_is_left_alone(self, admin_client, tree):
        html = admin_client.get(f"/admin/snippets/blogs/author/edit/{tree.author.pk}/")
        assert html.status_code == 200
        assert f'value="{BEKKER}"' in html.content.decode()

    def test_renamed_author_is_seen_at_once(self, client, tree):
        post = make_post(tree.blog, body=[("paragraph", f"<p>{BEKKER}</p>")])
        assert "e-mail Scott Bekker" in client.get(post.url).content.decode()
        tree.author.name = "S. Bekker"
        tree.author.save()
        assert "e-mail S. Bekker" in client.get(post.url).content.decode()

    @pytest.mark.parametrize("typed", [BEKKER, "SBekker@Example.com", "sbekker%40example.com"])
    def test_an_address_the_reader_typed_is_never_named_back(self, client, tree, typed):
        """Searching for a guess at an author's address: were it echoed as "e-mail Scott
        Bekker", the page would confirm whose it is. Elsewhere it is still named."""
        make_post(tree.blog, authors=[tree.author], body=[("paragraph", "<p>Hello</p>")])
        html = client.get(f"/search/?q={typed}").content.decode()
        assert "e-mail Scott Bekker" not in html and "/scott-bekker/contact/" not in html
        # Shown as anybody's address is: hidden in the text, as typed in the search box.
        assert "[e-mail address hidden]" in html
        post = make_post(tree.blog, body=[("paragraph", f"<p>{BEKKER}</p>")])
        assert "e-mail Scott Bekker" in client.get(post.url).content.decode()

    def test_an_address_in_a_form_shown_again_is_never_named_back(self, tree):
        """A POST whose page echoes the form (its errors) gets the same treatment."""
        request = RequestFactory().post("/somewhere/", {"email": BEKKER})
        echo = HttpResponse(f'<input name="email" value="{BEKKER}">')
        html = MailguardMiddleware(lambda request: echo)(request).content.decode()
        assert "Scott Bekker" not in html and "/scott-bekker/contact/" not in html


@pytest.mark.django_db
class TestResponses:
    def test_feed_loses_the_address_for_the_contact_link(self, tree):
        body = f"<rss><item><author>{BEKKER} (Scott Bekker)</author></item></rss>"
        response = run(HttpResponse(body, content_type="application/rss+xml; charset=utf-8"))
        assert response.content.decode() == (
            "<rss><item><author>http://testserver/authors/scott-bekker/contact/ "
            "(Scott Bekker)</author></item></rss>"
        )

    @pytest.mark.parametrize(
        ("content_type", "kind"),
        [
            ("text/html; charset=utf-8", "html"),
            ("application/xhtml+xml", "html"),
            ("application/atom+xml", "text"),
            ("application/feed+json", "text"),
            ("application/ld+json", "text"),
            ("application/json", "text"),
            ("application/xml", "text"),
            ("text/xml", "text"),
            ("text/plain", "text"),
            ("text/css", None),
            ("text/javascript", None),
            ("image/png", None),
            ("application/octet-stream", None),
            ("", None),
        ],
    )
    def test_which_responses_are_protected(self, content_type, kind):
        assert response_kind(content_type) == kind

    def test_content_length_follows_the_new_body(self, tree):
        response = HttpResponse(f"<p>{BEKKER}</p>")
        response["Content-Length"] = str(len(response.content))
        run(response, "/x/")
        assert int(response["Content-Length"]) == len(response.content)
        assert harvest(response.content.decode()) == set()

    def test_other_charsets_survive(self, tree):
        response = HttpResponse(
            f"<p>Grüße an {BEKKER}</p>".encode("latin-1"), content_type="text/html; charset=latin-1"
        )
        html = run(response, "/x/").content.decode("latin-1")
        assert html.startswith('<p>Grüße an <a class="mailguard"')

    def test_undecodable_bytes_are_kept(self, tree):
        response = HttpResponse(b"<p>\xff\xfe " + BEKKER.encode() + b"</p>")
        content = run(response, "/x/").content
        assert content.startswith(b"<p>\xff\xfe <a class=")

    def test_streaming_binary_and_not_modified_are_untouched(self, tree):
        streaming = StreamingHttpResponse([BEKKER.encode()], content_type="text/plain")
        assert run(streaming) is streaming
        assert b"".join(streaming.streaming_content) == BEKKER.encode()
        image = HttpResponse(BEKKER, content_type="image/png")
        assert run(image).content == BEKKER.encode()
        not_modified = HttpResponse(BEKKER, status=304)
        assert run(not_modified).content == BEKKER.encode()

    def test_compressed_body_is_not_corrupted(self, tree, caplog):
        packed = gzip.compress(BEKKER.encode())
        response = HttpResponse(packed, content_type="text/html")
        response["Content-Encoding"] = "gzip"
        assert run(response).content == packed
        assert "came compressed" in caplog.text

    def test_exempt_responses(self, tree):
        response = HttpResponse(BEKKER)
        response.mailguard_exempt = True
        assert run(response).content == BEKKER.encode()
        assert run(HttpResponse(BEKKER), "/admin/pages/").content == BEKKER.encode()

    def test_pages_without_addresses_cost_no_query_or_cache_read(
        self, tree, django_assert_num_queries
    ):
        from django.core.cache import cache

        cache.delete(CACHE_KEY)
        with django_assert_num_queries(0):
            run(HttpResponse("<p>Nothing to see.</p>"), "/x/")
        assert cache.get(CACHE_KEY) is None

    def test_author_directory_is_read_once_then_cached(self, tree, django_assert_num_queries):
        with django_assert_num_queries(1):
            run(HttpResponse(f"<p>{BEKKER}</p>"), "/x/")
        with django_assert_num_queries(0):
            html = run(HttpResponse(f"<p>{BEKKER}</p>"), "/x/").content.decode()
        assert "e-mail Scott Bekker" in html
