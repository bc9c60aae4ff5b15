"""Daily and weekly digests: every post waiting for a reader, in one mail, once."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from byline.newsletters import sending
from byline.newsletters.models import (
    Delivery,
    DeliveryStatus,
    DigestClock,
    Frequency,
    Issue,
    Subscriber,
    SubscriberStatus,
)
from tests.ports import free_port

from .conftest import add_subscriber, fresh_post, text_of

pytestmark = pytest.mark.django_db


def test_a_daily_digest_collects_the_posts(tree, mailserver, django_capture_on_commit_callbacks):
    add_subscriber("daily@example.com", blog=tree.blog, frequency=Frequency.DAILY)
    add_subscriber("weekly@example.com", author=tree.author, frequency=Frequency.WEEKLY)
    add_subscriber("each@example.com", blog=tree.blog)
    with django_capture_on_commit_callbacks(execute=True):
        first = fresh_post(tree.blog, title="First", authors=[tree.author])
        second = fresh_post(tree.blog, title="Second")
        gone = fresh_post(tree.blog, title="Taken down")
    gone.unpublish()
    assert len(mailserver.to("each@example.com")) == 3
    assert mailserver.to("daily@example.com") == []
    # The next run is known, once per frequency.
    assert set(DigestClock.objects.values_list("frequency", flat=True)) == {"daily", "weekly"}

    call_command("newsletters", "digest", "daily")
    [digest] = mailserver.to("daily@example.com")
    text = text_of(digest)
    assert "2 new posts" in digest["Subject"]
    assert "First" in text and "Second" in text and "Taken down" not in text
    assert f"http://testserver{first.url}" in text and f"http://testserver{second.url}" in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mailserver.to("weekly@example.com") == []
    # Run again: nothing new, nothing twice.
    call_command("newsletters", "digest", "daily")
    assert len(mailserver.to("daily@example.com")) == 1

    call_command("newsletters", "digest", "weekly")
    [weekly] = mailserver.to("weekly@example.com")
    assert "1 new post" in weekly["Subject"] and "First" in text_of(weekly)
    assert not Delivery.objects.filter(status=DeliveryStatus.DIGEST).exists()


def test_digest_times(settings):
    settings.TIME_ZONE = "UTC"
    settings.BYLINE_NEWSLETTERS_DIGEST_HOUR = 7
    wednesday_noon = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC)
    assert sending.digest_due("daily", wednesday_noon) == datetime.datetime(
        2026, 12, 3, 7, 0, tzinfo=datetime.UTC
    )
    assert sending.digest_due("weekly", wednesday_noon) == datetime.datetime(
        2026, 12, 7, 7, 0, tzinfo=datetime.UTC
    )
    early = datetime.datetime(2026, 12, 2, 6, 0, tzinfo=datetime.UTC)
    assert sending.digest_due("daily", early) == datetime.datetime(
        2026, 12, 2, 7, 0, tzinfo=datetime.UTC
    )


def test_a_failed_digest_waits_for_the_next_run(
    tree, mailserver, django_capture_on_commit_callbacks
):
    add_subscriber("daily@example.com", blog=tree.blog, frequency=Frequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog)
    mailserver.refuse["daily@example.com"] = "451 4.3.0 Later"
    assert sending.digests_send("daily", now=timezone.now()).sent == 0
    assert Delivery.objects.get().status == DeliveryStatus.DIGEST
    del mailserver.refuse["daily@example.com"]
    assert sending.digests_send("daily").sent == 1
    assert len(mailserver.messages) == 1


def test_switching_from_digest_to_each_post_sends_what_waits(
    client, tree, mailserver, django_capture_on_commit_callbacks
):
    from byline.newsletters import tokens

    add_subscriber("ann@example.com", blog=tree.blog, frequency=Frequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog, title="Waiting post")
    assert mailserver.messages == []
    path = f"/newsletter/preferences/{tokens.manage_token('ann@example.com')}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path, {"keep": [f"blog:{tree.blog.pk}"], "frequency": Frequency.EACH_POST}
        )
    assert response.status_code == 200
    [message] = mailserver.messages
    assert message["Subject"] == "Waiting post"
    call_command("newsletters", "digest", "daily")
    assert len(mailserver.messages) == 1


def test_a_refused_digest_suppresses_nobody(tree, mailserver, django_capture_on_commit_callbacks):
    """A 5xx to the digest itself (DATA) is not the reader's doing: their posts wait for the
    next run; only a refusal of the address at RCPT TO suppresses it."""
    add_subscriber("daily@example.com", blog=tree.blog, frequency=Frequency.DAILY)
    add_subscriber("gone@example.com", blog=tree.blog, frequency=Frequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog)
    mailserver.refuse_message = "554 5.7.1 Message rejected by content policy"
    assert sending.digests_send("daily").sent == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DIGEST}
    assert not Subscriber.objects.exclude(status=SubscriberStatus.CONFIRMED).exists()
    mailserver.refuse_message = None
    mailserver.refuse["gone@example.com"] = "550 5.1.1 No such user"
    assert sending.digests_send("daily").sent == 1
    assert Subscriber.objects.get(email="gone@example.com").status == SubscriberStatus.SUPPRESSED
    assert [m["X-Envelope-To"] for m in mailserver.messages] == ["daily@example.com"]


@pytest.fixture
def three_daily(tree, mailserver, django_capture_on_commit_callbacks):
    for number in range(3):
        add_subscriber(f"daily{number}@example.com", blog=tree.blog, frequency=Frequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog)


def test_digests_keep_to_the_send_rate(three_daily, mailserver, settings):
    settings.BYLINE_NEWSLETTERS_SEND_RATE = 10
    started = time.monotonic()
    assert sending.digests_send("daily").sent == 3
    assert time.monotonic() - started >= 3 / 10 - 0.05


def test_a_digest_run_past_its_time_budget_goes_on_soon(three_daily, mailserver):
    """As an issue does: the run gives the worker back, and asks to run on at once, not
    tomorrow; the next run sends the rest."""
    run = sending.digests_send("daily", time_budget=0)
    assert run.sent == 1 and run.again is not None and run.again <= timezone.now()
    assert Delivery.objects.filter(status=DeliveryStatus.DIGEST).count() == 2
    assert sending.digests_send("daily").again is None
    assert len(mailserver.messages) == 3


def test_one_worker_at_a_time_sends_digests(three_daily, mailserver):
    DigestClock.objects.filter(frequency="daily").update(lease_until=timezone.now() + sending.LEASE)
    run = sending.digests_send("daily")
    # The worker holding the lease schedules the next run itself: asking for another here
    # could send a second digest that day.
    assert run.sent == 0 and run.again is None and mailserver.messages == []


def test_an_unreachable_server_holds_the_digests_for_minutes_not_a_day(
    three_daily, mailserver, settings
):
    """The task worker is asked back after the first back-off, as for an issue; the
    digests wait for that, not for the next day's run."""
    from django_tasks_db.models import DBTaskResult

    from byline.newsletters.tasks import send_digests

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    before = timezone.now()
    assert send_digests.call("daily") == 0
    [queued] = DBTaskResult.objects.filter(task_path="byline.newsletters.tasks.send_digests")
    backoff = datetime.timedelta(seconds=sending.BACKOFF[0])
    assert before + backoff <= queued.run_after <= timezone.now() + backoff
    assert Delivery.objects.filter(status=DeliveryStatus.DIGEST).count() == 3
    settings.EMAIL_PORT = port
    assert send_digests.call("daily") == 3


def test_a_stopped_issue_waits_out_of_the_digest(
    tree, mailserver, django_capture_on_commit_callbacks
):
    """The mail server refused a post's message: the digest leaves it out, as sending leaves
    it waiting, and takes it in once the editor has resumed it."""
    add_subscriber("daily@example.com", blog=tree.blog, frequency=Frequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        stopped = fresh_post(tree.blog, title="Refused")
        fresh_post(tree.blog, title="Fine")
    Issue.objects.filter(page=stopped).update(stopped_at=timezone.now(), stop_reason="554")
    assert sending.digests_send("daily").sent == 1
    [digest] = mailserver.to("daily@example.com")
    assert "Fine" in text_of(digest) and "Refused" not in text_of(digest)
    waiting = Delivery.objects.get(issue__page=stopped)
    assert waiting.status == DeliveryStatus.DIGEST and waiting.claim == ""
    Issue.objects.filter(page=stopped).update(stopped_at=None, stop_reason="")
    assert sending.digests_send("daily").sent == 1
    assert "Refused" in text_of(mailserver.to("daily@example.com")[1])
