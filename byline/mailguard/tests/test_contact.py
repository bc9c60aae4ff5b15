"""The author contact page: the form, its spam defences, and the mail that reaches the author."""

from __future__ import annotations

import importlib
import io
import json
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from byline.core import formguard
from byline.mailguard.models import ContactMessage
from byline.mailguard.services import contact_message_send
from byline.mailguard.tests.harvest import harvest
from tests.factories import AuthorFactory, build_site_tree
from tests.ports import free_port

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


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


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

    def test_task_carries_the_messages_id_and_nothing_anyone_wrote(self, tree):
        result = contact_message_send(
            author=tree.author, name="Ann", email="ann@example.net", subject="Hi", message="Yo"
        )
        assert result.args == [] and list(result.kwargs) == ["message_id"]
        assert result.return_value is True
        assert len(mail.outbox) == 1
        assert not ContactMessage.objects.exists()  # sent, so not kept

    def test_author_gone_before_the_task_ran_sends_nothing(self, tree):
        from byline.mailguard.tasks import send_contact_message

        contact = ContactMessage.objects.create(
            author=tree.author, name="A", email="a@example.net", subject="S", message="M"
        )
        tree.author.email = ""
        tree.author.save()
        result = send_contact_message.enqueue(message_id=contact.pk)
        assert result.return_value is False
        assert mail.outbox == []
        assert not ContactMessage.objects.exists()  # it can never be sent: not kept either


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


def rows_holding(text: str) -> list[str]:
    """Every table of the database with a row that holds `text` anywhere."""
    from django.apps import apps

    return [
        model._meta.label
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and any(text in repr(row) for row in model._base_manager.values())
    ]


@pytest.mark.django_db(transaction=True)
class TestNothingKeptOnceSent:
    """With the database task backend, as in production, where a task's arguments stay in its
    result row after it has run: the reader's message, name and address must not."""

    @pytest.fixture
    def database_tasks(self, settings):
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run_worker(self):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    def test_the_task_table_never_holds_the_message(self, client, tree, database_tasks):
        send(client, name="Zelda Quill", email="zelda.quill@example.net", message="Xyzzy plugh")
        [row] = DBTaskResult.objects.all()
        waiting = ContactMessage.objects.get()
        assert row.args_kwargs == {"args": [], "kwargs": {"message_id": waiting.pk}}
        assert rows_holding("Xyzzy plugh") == ["mailguard.ContactMessage"]  # waiting to go
        self.run_worker()
        [message] = mail.outbox
        assert "Xyzzy plugh" in message.body
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
        for trace in ("Xyzzy plugh", "Zelda Quill", "zelda.quill@example.net"):
            assert rows_holding(trace) == [], trace

    def test_a_message_that_could_not_be_mailed_waits_and_a_data_request_finds_it(
        self, client, tree, database_tasks, settings
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
        send(client, email="Zelda@Example.net", message="Xyzzy plugh")
        self.run_worker()
        assert DBTaskResult.objects.get().status == "FAILED"
        assert rows_holding("Xyzzy plugh") == ["mailguard.ContactMessage"]

        exported = json.loads(run_command("comments", "export", "zelda@example.net"))
        [pending] = exported["contact_messages"]
        assert pending["message"] == "Xyzzy plugh" and pending["to_author"] == "Scott Bekker"
        dry_run = run_command("comments", "erase", "--dry-run", "zelda@example.net")
        assert "would erase 1 pending contact message by zelda@example.net\n" in dry_run
        assert ContactMessage.objects.exists()
        erased = run_command("comments", "erase", "zelda@example.net")
        assert "erased 1 pending contact message by zelda@example.net" in erased
        assert rows_holding("Xyzzy plugh") == []

    def test_an_erased_message_is_not_sent(self, client, tree, database_tasks):
        send(client, email="zelda@example.net")
        run_command("comments", "erase", "zelda@example.net")
        self.run_worker()
        assert mail.outbox == []
        assert DBTaskResult.objects.get().return_value is False


def test_old_queued_tasks_lose_their_message_to_a_row_and_finished_ones_go(tree):
    """The migration for tasks enqueued before, with the message as their arguments: a waiting
    one keeps its message (in a ContactMessage row, and is left with its id); finished ones,
    which can no longer be of use, are deleted with what they held."""
    from django.apps import apps

    migration = importlib.import_module(
        "byline.mailguard.migrations.0002_contact_messages_out_of_the_task_table"
    )
    old = {
        "author_id": tree.author.pk,
        "name": "Zelda Quill",
        "email": "zelda@example.net",
        "subject": "Hello",
        "message": "Xyzzy plugh",
    }
    for status in ("READY", "SUCCESSFUL", "FAILED"):
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": old},
            task_path=migration.TASK,
            backend_name="default",
            status=status,
        )
    migration.forwards(apps, None)
    [waiting] = DBTaskResult.objects.all()
    contact = ContactMessage.objects.get()
    assert waiting.status == "READY"
    assert waiting.args_kwargs == {"args": [], "kwargs": {"message_id": contact.pk}}
    assert (contact.author, contact.name, contact.message) == (
        tree.author,
        "Zelda Quill",
        old["message"],
    )
    assert rows_holding("Xyzzy plugh") == ["mailguard.ContactMessage"]


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
