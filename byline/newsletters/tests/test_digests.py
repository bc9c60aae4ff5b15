"""Daily and weekly digests: every post waiting for a reader, in one mail, once."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from byline.newsletters import sending
from byline.newsletters.models import Delivery, DeliveryStatus, DigestClock, Frequency

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
    assert sending.digests_send("daily", now=timezone.now()) == 0
    assert Delivery.objects.get().status == DeliveryStatus.DIGEST
    del mailserver.refuse["daily@example.com"]
    assert sending.digests_send("daily") == 1
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
