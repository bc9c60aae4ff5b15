"""The author contact page: the form, its spam defences, and the mail that reaches the author."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from byline.core import formguard
from byline.core.testing import AuthorFactory, build_site_tree
from byline.mailguard.services import contact_message_send
from byline.mailguard.tests.harvest import harvest

pytestmark = pytest.mark.django_db

URL = "/authors/scott-bekker/contact/"
BEKKER = "sbekker@example.com"


@pytest.fixture
def tree(db):
    return build_site_tree()


def form_data(**fields) -> dict:
    """What a person's browser sends: every field, a token from a page loaded a minute ago."""
    data = {
        "name": "Ann Reader",
        "email": "ann@example.net",
        "subject": "Your Ballmer column",
        "message": "Partners do like him.\nThanks for the piece.",
        formguard.TOKEN_FIELD: formguard.form_token("mailguard.contact", now=time.time() - 60),
        "phone": "",
    }
    data.update(fields)
    return data


def send(client, *, headers=None, remote_addr="203.0.113.7", **fields):
    return client.post(
        URL,
        form_data(**fields),
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin", **(headers or {})},
        REMOTE_ADDR=remote_addr,
    )


class TestPage:
    def test_form_page_never_shows_the_address(self, client, tree):
        response = client.get(URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Write to Scott Bekker</h1>" in html
        for name in ("name", "email", "subject", "message", formguard.TOKEN_FIELD):
            assert f'name="{name}"' in html
        assert "sbekker" not in html
        assert harvest(html) == set()
        assert '<meta name="robots" content="noindex">' in html

    def test_unknown_author_or_one_without_address_is_404(self, client, tree):
        AuthorFactory(name="Staff", slug="staff", email="")
        assert client.get("/authors/nobody/contact/").status_code == 404
        assert client.get("/authors/staff/contact/").status_code == 404
        assert client.post("/authors/staff/contact/", form_data()).status_code == 404
        assert client.get("/authors/staff/contact/sent/").status_code == 404

    def test_other_methods_are_refused(self, client, tree):
        assert client.put(URL).status_code == 405
        assert client.delete(URL).status_code == 405


class TestSending:
    def test_post_redirect_get(self, client, tree):
        response = send(client)
        assert response.status_code == 302
        assert response["Location"] == "/authors/scott-bekker/contact/sent/"
        sent = client.get(response["Location"])
        assert sent.status_code == 200
        assert "Your message is on its way to Scott Bekker." in sent.content.decode()
        assert "sbekker" not in sent.content.decode()

    def test_message_reaches_the_author_with_reply_to_the_reader(self, client, tree):
        send(client)
        [message] = mail.outbox
        assert message.to == [f"Scott Bekker <{BEKKER}>"]
        assert message.reply_to == ["Ann Reader <ann@example.net>"]
        assert message.from_email == "Byline <byline@localhost>"
        assert message.subject == "[Test] Your Ballmer column"
        assert "Partners do like him.\nThanks for the piece." in message.body
        assert "Ann Reader <ann@example.net> wrote to you" in message.body

    def test_task_carries_the_authors_id_not_the_address(self, tree):
        result = contact_message_send(
            author=tree.author, name="Ann", email="ann@example.net", subject="Hi", message="Yo"
        )
        assert BEKKER not in repr(result.args) + repr(result.kwargs)
        assert result.kwargs["author_id"] == tree.author.pk
        assert result.return_value is True

    def test_author_gone_before_the_task_ran_sends_nothing(self, tree):
        from byline.mailguard.tasks import send_contact_message

        author_id = tree.author.pk
        tree.author.email = ""
        tree.author.save()
        result = send_contact_message.enqueue(
            author_id=author_id, name="A", email="a@example.net", subject="S", message="M"
        )
        assert result.return_value is False
        assert mail.outbox == []


class TestRefusals:
    @pytest.mark.parametrize(
        ("field", "value", "error"),
        [
            ("name", "", "This field is required."),
            ("subject", "   ", "This field is required."),
            ("message", "", "This field is required."),
            ("email", "not an address", "Enter a valid email address."),
            ("name", "Ann\r\nBcc: victim@example.org", "Keep this on one line."),
            ("subject", "Hi\nBcc: victim@example.org", "Keep this on one line."),
            ("subject", "Hi\rthere", "Keep this on one line."),
            ("subject", "Hi\u2028there", "Keep this on one line."),
            ("email", "ann@example.net\nBcc: v@example.org", "Enter a valid email address."),
            ("name", "A" * 101, "at most 100 characters"),
            ("subject", "S" * 151, "at most 150 characters"),
            ("message", "M" * 5001, "at most 5000 characters"),
            ("email", "a" * 250 + "@example.net", "at most 254 characters"),
            ("message", "nul\x00byte", "Null characters are not allowed."),
        ],
    )
    def test_bad_input_gets_a_field_error_and_sends_nothing(
        self, client, tree, field, value, error
    ):
        response = send(client, **{field: value})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors
        assert any(error in message for message in errors[field])
        assert 'class="field-error"' in response.content.decode()
        assert mail.outbox == []

    def test_honeypot_and_haste_are_refused(self, client, tree):
        response = send(client, phone="555-0100")
        assert response.status_code == 200
        assert "looked automated" in response.content.decode()
        fresh = formguard.form_token("mailguard.contact")
        response = send(client, **{formguard.TOKEN_FIELD: fresh})
        assert "looked automated" in response.content.decode()
        assert mail.outbox == []

    def test_forged_or_foreign_token_is_refused(self, client, tree):
        comment_token = formguard.form_token("comments.comment", now=time.time() - 60)
        for token in ("", "123:forged", comment_token):
            response = send(client, **{formguard.TOKEN_FIELD: token})
            assert "could not be checked" in response.content.decode()
        assert mail.outbox == []

    def test_cross_site_post_is_forbidden(self, client, tree):
        response = send(client, headers={"Origin": "https://evil.example", "Sec-Fetch-Site": ""})
        assert response.status_code == 403
        response = send(client, headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403
        assert mail.outbox == []

    def test_rate_limit_per_address(self, client, tree, settings):
        settings.BYLINE_CONTACT_RATE_LIMIT = "2/h"
        assert send(client).status_code == 302
        assert send(client).status_code == 302
        refused = send(client)
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert "Too many submissions" in refused.content.decode()
        # What the reader wrote is still there to send later.
        assert "Your Ballmer column" in refused.content.decode()
        assert send(client, remote_addr="198.51.100.9").status_code == 302
        assert len(mail.outbox) == 3


def test_message_arrives_through_a_real_smtp_server(client, tree, smtp):
    response = send(
        client, name="Jörg Müller", subject="Grüße zur Kolumne", message="Schöner Text.\nJörg"
    )
    assert response.status_code == 302
    [(recipients, message)] = smtp.deliveries
    assert recipients == [BEKKER]
    assert message["To"] == f"Scott Bekker <{BEKKER}>"
    assert message["Reply-To"] == "Jörg Müller <ann@example.net>"
    assert message["Subject"] == "[Test] Grüße zur Kolumne"
    body = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "Jörg Müller <ann@example.net> wrote to you through your contact page on Test" in body
    assert "Schöner Text.\nJörg" in body
    assert "http://testserver/authors/scott-bekker/contact/" in body
