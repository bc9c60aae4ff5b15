"""Signing up: one field, the form guard, double opt-in through a real SMTP server, limits."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core import signing
from django.core.management import call_command
from django.template import Context, Template

from byline.core import formguard
from byline.newsletters import tokens
from byline.newsletters.models import Subscriber, SubscriberStatus, Subscription

from .conftest import add_subscriber, blog_scope, sign_up, text_of

pytestmark = pytest.mark.django_db


def confirm_path(message) -> str:
    return re.search(r"http://testserver(/newsletter/confirm/\S+/)", text_of(message))[1]


def test_double_opt_in_through_smtp(client, tree, mailserver, django_capture_on_commit_callbacks):
    """The form sends one confirmation mail and stores nothing; the link's GET only asks;
    its button's POST subscribes."""
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, blog_scope(tree.blog))
    assert response.status_code == 303 and response["Location"] == "/newsletter/sent/"
    assert not Subscriber.objects.exists()
    [message] = mailserver.messages
    assert message["X-Envelope-To"] == "ann@example.com"
    assert "Bekker's Blog" in message["Subject"]
    path = confirm_path(message)
    page = client.get(path)
    assert page.status_code == 200 and b"Yes, subscribe me" in page.content
    assert not Subscriber.objects.exists()  # a mail scanner following the link subscribes nobody
    done = client.post(path, headers={"Origin": "http://testserver"})
    assert done.status_code == 200 and b"You are subscribed" in done.content
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert [s.blog_id for s in subscriber.subscriptions.all()] == [tree.blog.pk]
    # Following it again changes nothing.
    assert client.post(path).status_code == 200
    assert Subscription.objects.count() == 1


def test_author_and_publication_scopes(
    client, tree, mailserver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, f"author:{tree.author.pk}", email="a@example.com")
        sign_up(client, "all", email="b@example.com")
    assert len(mailserver.messages) == 2
    assert "Scott Bekker" in mailserver.to("a@example.com")[0]["Subject"]
    client.post(confirm_path(mailserver.to("a@example.com")[0]))
    client.post(confirm_path(mailserver.to("b@example.com")[0]))
    assert Subscription.objects.get(subscriber__email="a@example.com").author == tree.author
    everything = Subscription.objects.get(subscriber__email="b@example.com")
    assert everything.blog is None and everything.author is None


def test_a_few_confirmations_per_address_per_day(
    client, tree, mailserver, settings, django_capture_on_commit_callbacks
):
    """Whoever asks, and from however many places, one address gets at most
    BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_DAY (3) mails; the form answers the same."""
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(6):
            response = sign_up(client, "all", remote_addr=f"198.51.100.{number}")
            assert response.status_code == 303
    assert len(mailserver.messages) == 3


def test_the_days_few_confirmations_count_a_mailbox_whatever_its_tags(
    client, tree, mailserver, django_capture_on_commit_callbacks
):
    """a+0@ … a+5@ all land in a@'s inbox: three mails in all, not one for each tag."""
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(6):
            response = sign_up(
                client, "all", email=f"A+{number}@example.com", remote_addr=f"198.51.100.{number}"
            )
            assert response.status_code == 303
    assert len(mailserver.messages) == 3


def test_the_days_few_confirmations_last_the_day_on_the_file_cache(
    client, tree, mailserver, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The file cache's incr() writes the counter again with the cache's default timeout (300
    s in production; 1 s here): the count must still be there after that, all day."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
            "TIMEOUT": 1,
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            sign_up(client, "all", remote_addr=f"198.51.100.{number}")
    time.sleep(1.5)  # past the default timeout
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_up(client, "all", remote_addr="198.51.100.9").status_code == 303
    assert len(mailserver.messages) == 3


def test_a_gmail_inbox_is_one_mailbox_however_its_address_is_dotted():
    from byline.newsletters.services import mailbox_of

    assert mailbox_of("T.a.R.get+x@GoogleMail.com") == mailbox_of("target@gmail.com")
    assert mailbox_of("ta.rget@gmail.com") == "target@gmail.com"
    # Elsewhere a dot is part of the name: first.last@ is not firstlast@.
    assert mailbox_of("first.last+news@example.com") == "first.last@example.com"
    # A domain is one however it is written: in Unicode, or as it goes over the wire.
    assert mailbox_of("ann+1@Bücher.example") == mailbox_of("ann@xn--bcher-kva.example")


def test_an_office_can_sign_up_a_handful_then_the_rate_limit_answers(client, tree, mailserver):
    """10 in 10 minutes from one address pass (an office's five colleagues in a minute
    easily); the 11th gets a 429 with Retry-After, not a 500."""
    for number in range(10):
        assert sign_up(client, "all", email=f"colleague{number}@example.com").status_code == 303
    refused = sign_up(client, "all", email="one.more@example.com")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert b"Too many" in refused.content


def test_cross_site_post_is_refused(client, tree):
    response = sign_up(
        client, "all", headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"email": "not an address"}, b"Enter a valid email address"),
        ({"email": "a" * 250 + "@example.com"}, b"at most 254"),
        ({"email": "ann@example.com\r\nBcc: victim@example.com"}, b"Enter a valid email address"),
        ({"scope": "blog:999999"}, b"not available"),
        ({"scope": "'; DROP TABLE"}, b"not available"),
        ({"phone": "555-1234"}, b"looked automated"),
        ({formguard.TOKEN_FIELD: "forged"}, b"could not be checked"),
    ],
    ids=[
        "malformed",
        "enormous",
        "header-injection",
        "unknown-blog",
        "garbage-scope",
        "honeypot",
        "bad-token",
    ],
)
def test_bad_input_gets_the_form_back_with_a_400(client, tree, mailserver, fields, message):
    response = sign_up(client, fields.pop("scope", "all"), **fields)
    assert response.status_code == 400
    assert message in response.content
    assert mailserver.messages == []


def test_too_fast_is_a_bot(client, tree, mailserver):
    token = formguard.form_token("newsletters.signup", now=time.time())
    response = sign_up(client, "all", **{formguard.TOKEN_FIELD: token})
    assert response.status_code == 400 and mailserver.messages == []


def test_an_existing_subscription_gets_no_new_mail_and_the_same_answer(
    client, tree, mailserver, django_capture_on_commit_callbacks
):
    add_subscriber("ann@example.com", blog=tree.blog)
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, blog_scope(tree.blog))
    assert response.status_code == 303 and mailserver.messages == []


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.dumps({"e": "ann@example.com", "s": "all"}, salt="another.salt"),
        signing.dumps({"e": "ann@example.com", "s": "all"}, salt=tokens.UNSUBSCRIBE_SALT),
        signing.dumps(["not", "a", "dict"], salt=tokens.CONFIRM_SALT),
    ],
    ids=["garbage", "other-salt", "unsubscribe-token", "wrong-shape"],
)
def test_forged_confirmation_link_is_a_clear_400(client, tree, token):
    for response in (
        client.get(f"/newsletter/confirm/{token}/"),
        client.post(f"/newsletter/confirm/{token}/"),
    ):
        assert response.status_code == 400
        assert b"This link does not work" in response.content
    assert not Subscriber.objects.exists()


def test_expired_confirmation_link(client, tree, settings):
    token = tokens.confirm_token(email="ann@example.com", scope="all")
    settings.BYLINE_NEWSLETTERS_CONFIRM_MAX_AGE = -1
    response = client.post(f"/newsletter/confirm/{token}/")
    assert response.status_code == 400 and b"This link has expired" in response.content
    assert not Subscriber.objects.exists()


def test_a_confirmation_for_a_blog_since_unpublished(client, tree):
    token = tokens.confirm_token(email="ann@example.com", scope=blog_scope(tree.blog))
    tree.blog.unpublish()
    response = client.post(f"/newsletter/confirm/{token}/")
    assert response.status_code == 404 and b"no longer published" in response.content


def test_suppressed_address_gets_no_confirmation(
    client, tree, mailserver, django_capture_on_commit_callbacks
):
    add_subscriber("ann@example.com", status=SubscriberStatus.SUPPRESSED)
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_up(client, "all").status_code == 303
    assert mailserver.messages == []


def test_the_tag_renders_the_same_form_for_everyone(
    client, tree, mailserver, django_capture_on_commit_callbacks
):
    """The include has no per-reader token (no CSRF cookie): a page that carries it may be
    kept in the page store or baked, and the form posted from it works."""
    template = Template(
        "{% load newsletters_tags %}{% newsletter_signup blog=blog %}"
        "{% newsletter_signup author=author %}{% newsletter_signup %}"
    )
    html = template.render(Context({"blog": tree.blog, "author": tree.author, "site_name": "Test"}))
    assert "Get Bekker&#x27;s Blog by e-mail" in html or "Get Bekker's Blog by e-mail" in html
    assert "Get Scott Bekker’s column by e-mail" in html and "Get Test by e-mail" in html
    assert "csrfmiddlewaretoken" not in html
    assert html.count('action="/newsletter/subscribe/"') == 3
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # three forms on one page, no id twice
    token = re.search(r'name="formguard_token" value="([^"]+)"', html)[1]
    assert formguard.token_age("newsletters.signup", token) < 60


def test_standalone_signup_page(client, tree):
    response = client.get(f"/newsletter/?scope={blog_scope(tree.blog)}")
    assert response.status_code == 200 and b"Bekker" in response.content
    assert "no-store" in response["Cache-Control"]
    assert client.get("/newsletter/?scope=nonsense").status_code == 200
    assert client.get("/newsletter/subscribe/").status_code == 405


def test_a_flood_from_many_addresses_is_answered_clearly(
    client, tree, mailserver, settings, django_capture_on_commit_callbacks
):
    """Past BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_HOUR site-wide, sign-ups from any address
    get a 429 that says to come back, and no more mail goes out."""
    settings.BYLINE_NEWSLETTERS_CONFIRMATIONS_PER_HOUR = 3
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            sign_up(client, "all", email=f"r{n}@example.com", remote_addr=f"198.51.100.{n}")
            for n in range(5)
        ]
    assert [a.status_code for a in answers] == [303, 303, 303, 429, 429]
    assert b"unusually many sign-ups" in answers[3].content
    assert 0 < int(answers[3]["Retry-After"]) <= 3600
    assert len(mailserver.messages) == 3


def test_a_form_from_an_old_baked_page_works_at_the_second_press(
    client, tree, mailserver, settings, django_capture_on_commit_callbacks
):
    """A baked or long-cached page may carry a token past BYLINE_FORMGUARD_MAX_AGE: the form
    comes back with the address kept and a fresh token, and sending it again works."""
    old = formguard.form_token("newsletters.signup", now=time.time() - 8 * 86400)
    first = sign_up(client, "all", **{formguard.TOKEN_FIELD: old})
    assert first.status_code == 400 and b"open a long time" in first.content
    assert b'value="ann@example.com"' in first.content
    fresh = re.search(rb'name="formguard_token" value="([^"]+)"', first.content)[1].decode()
    settings.BYLINE_FORMGUARD_MIN_SECONDS = 0  # the reader presses again at once
    with django_capture_on_commit_callbacks(execute=True):
        second = sign_up(client, "all", **{formguard.TOKEN_FIELD: fresh})
    assert second.status_code == 303 and len(mailserver.messages) == 1


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
class TestNoAddressKeptWithTheTask:
    """With the database task backend, as in production, where a task's arguments, result
    and error stay in its row after it has run: the address of someone who signed up and
    never confirmed must not."""

    ADDRESS = "zelda.quill@example.net"

    @pytest.fixture
    def database_tasks(self, settings):
        """Asked for after `tree`, so that publishing the tree queued nothing in it."""
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run_worker(self):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    def test_the_task_table_never_holds_the_address(self, client, tree, mailserver, database_tasks):
        from django_tasks_db.models import DBTaskResult

        from byline.newsletters.models import ConfirmationRequest

        assert sign_up(client, "all", email=self.ADDRESS).status_code == 303
        [row] = DBTaskResult.objects.all()
        waiting = ConfirmationRequest.objects.get()
        assert row.args_kwargs == {"args": [], "kwargs": {"request_id": waiting.pk}}
        assert rows_holding(self.ADDRESS) == ["newsletters.ConfirmationRequest"]
        self.run_worker()
        assert [m["X-Envelope-To"] for m in mailserver.messages] == [self.ADDRESS]
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
        assert rows_holding(self.ADDRESS) == []

    def test_a_mail_that_failed_leaves_no_address_either(
        self, client, tree, mailserver, database_tasks
    ):
        from django_tasks_db.models import DBTaskResult

        mailserver.refuse[self.ADDRESS] = f"550 5.1.1 <{self.ADDRESS}>: no such user"
        sign_up(client, "all", email=self.ADDRESS)
        self.run_worker()
        failed = DBTaskResult.objects.get()
        assert failed.status == "FAILED" and "SMTPRecipientsRefused" in failed.traceback
        assert rows_holding(self.ADDRESS) == []

    def test_erasing_the_address_takes_its_waiting_confirmation(
        self, client, tree, mailserver, database_tasks
    ):
        sign_up(client, "all", email=self.ADDRESS)
        out = io.StringIO()
        call_command("subscribers", "erase", self.ADDRESS.upper(), stdout=out)
        assert f"erased 1 subscriber record of {self.ADDRESS}" in out.getvalue()
        assert rows_holding(self.ADDRESS) == []
        self.run_worker()
        assert mailserver.messages == []


def test_old_queued_confirmations_lose_their_address_to_a_row_and_finished_ones_go(tree):
    """The migration for confirmation mails enqueued before, with the address as their
    argument: a waiting one keeps it (in a ConfirmationRequest row, and is left with that
    row's id); finished ones, which can no longer be of use, are deleted with it."""
    import importlib

    from django.apps import apps
    from django_tasks_db.models import DBTaskResult

    from byline.newsletters.models import ConfirmationRequest

    migration = importlib.import_module(
        "byline.newsletters.migrations.0004_confirmations_out_of_the_task_table"
    )
    for status in ("READY", "SUCCESSFUL", "FAILED"):
        DBTaskResult.objects.create(
            args_kwargs={"args": ["zelda@example.net", "all"], "kwargs": {}},
            task_path=migration.TASK,
            backend_name="default",
            status=status,
        )
    migration.forwards(apps, None)
    [waiting] = DBTaskResult.objects.all()
    request = ConfirmationRequest.objects.get()
    assert waiting.status == "READY"
    assert waiting.args_kwargs == {"args": [], "kwargs": {"request_id": request.pk}}
    assert (request.email, request.scope) == ("zelda@example.net", "all")
    assert rows_holding("zelda@example.net") == ["newsletters.ConfirmationRequest"]
