"""Leaving is one click (RFC 8058), and the signed preferences page needs no login."""

from __future__ import annotations

import re

import pytest
from django.core import signing

from byline.newsletters import tokens
from byline.newsletters.models import (
    Delivery,
    DeliveryStatus,
    Frequency,
    Subscriber,
    SubscriberStatus,
    Subscription,
)

from .conftest import add_subscriber, fresh_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed(tree, mailserver, django_capture_on_commit_callbacks):
    """both@ follows the blog and everything; the post goes out."""
    add_subscriber("both@example.com", blog=tree.blog, everything=True)
    add_subscriber("other@example.com", blog=tree.blog)
    with django_capture_on_commit_callbacks(execute=True):
        post = fresh_post(tree.blog, authors=[tree.author])
    [message] = mailserver.to("both@example.com")
    return post, message


def header_url(message) -> str:
    return re.search(r"<http://testserver([^>]+)>", message["List-Unsubscribe"])[1]


def test_one_click_post_as_mailbox_providers_send_it(client, mailed):
    """RFC 8058 §3.1: a POST with the body List-Unsubscribe=One-Click, no cookie, no CSRF
    token, no Origin: done at once, no confirmation page in between."""
    post, message = mailed
    client.handler.enforce_csrf_checks = True
    response = client.post(
        header_url(message),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and b"You are unsubscribed" in response.content
    subscriber = Subscriber.objects.get(email="both@example.com")
    # The mail came for the blog and for everything: both lists are left.
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert not subscriber.subscriptions.exists()
    delivery = Delivery.objects.get(subscriber=subscriber)
    assert delivery.unsubscribed_at is not None  # counted against this issue
    # Another subscriber is untouched.
    assert Subscriber.objects.get(email="other@example.com").status == SubscriberStatus.CONFIRMED


def test_get_only_asks(client, mailed):
    """Link scanners follow GETs: the page asks, and unsubscribes nobody."""
    post, message = mailed
    response = client.get(header_url(message))
    assert response.status_code == 200 and b"<form" in response.content
    assert Subscriber.objects.get(email="both@example.com").status == SubscriberStatus.CONFIRMED


def test_leaving_one_list_keeps_the_others(client, tree):
    add_subscriber("ann@example.com", blog=tree.blog, author=tree.author)
    url = tokens.unsubscribe_url(email="ann@example.com", scopes=[f"blog:{tree.blog.pk}"])
    client.post(url.removeprefix("http://testserver"))
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert [s.author_id for s in subscriber.subscriptions.all()] == [tree.author.pk]


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.dumps({"e": "ann@example.com"}, salt=tokens.MANAGE_SALT),
        signing.dumps({"e": "ann@example.com", "i": "1; DROP"}, salt=tokens.UNSUBSCRIBE_SALT),
        signing.dumps({"e": 42}, salt=tokens.UNSUBSCRIBE_SALT),
    ],
    ids=["garbage", "preferences-token", "bad-issue", "bad-address"],
)
def test_forged_unsubscribe_links_are_a_clear_400(client, tree, token):
    add_subscriber("ann@example.com", everything=True)
    for response in (
        client.get(f"/newsletter/unsubscribe/{token}/"),
        client.post(f"/newsletter/unsubscribe/{token}/"),
    ):
        assert response.status_code == 400 and b"This link does not work" in response.content
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


def test_a_link_for_another_address_cannot_be_made(client, tree):
    """The address is inside the signature: changing it breaks the link."""
    add_subscriber("victim@example.com", everything=True)
    token = tokens.unsubscribe_token(email="ann@example.com")
    payload, _, signature = token.partition(":")
    forged_payload = signing.b64_encode(b'{"e":"victim@example.com"}').decode()
    response = client.post(f"/newsletter/unsubscribe/{forged_payload}:{signature}/")
    assert response.status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


def test_preferences_page(client, tree, mailed):
    post, message = mailed
    path = re.search(
        r"http://testserver(/newsletter/preferences/\S+/)",
        message.get_body(("plain",)).get_content(),
    )[1]
    page = client.get(path)
    assert page.status_code == 200
    assert b"Bekker&#x27;s Blog" in page.content and b"Everything we publish" in page.content
    assert "no-store" in page["Cache-Control"]
    # Keep only the blog, weekly.
    saved = client.post(path, {"keep": [f"blog:{tree.blog.pk}"], "frequency": Frequency.WEEKLY})
    assert saved.status_code == 200 and b"Saved." in saved.content
    subscriber = Subscriber.objects.get(email="both@example.com")
    assert subscriber.frequency == Frequency.WEEKLY
    assert [s.scope for s in subscriber.subscriptions.all()] == [f"blog:{tree.blog.pk}"]
    # Everything off.
    gone = client.post(path, {"unsubscribe_all": "1"})
    assert gone.status_code == 200 and b"You are unsubscribed" in gone.content
    assert Subscriber.objects.get(email="both@example.com").status == SubscriberStatus.UNSUBSCRIBED


def test_preferences_bad_input(client, tree):
    add_subscriber("ann@example.com", everything=True)
    path = f"/newsletter/preferences/{tokens.manage_token('ann@example.com')}/"
    response = client.post(path, {"keep": ["blog:999"], "frequency": "hourly"})
    assert response.status_code == 400 and b"Select a valid choice" in response.content
    assert client.get("/newsletter/preferences/nonsense/").status_code == 400
    cross = client.post(path, {"unsubscribe_all": "1"}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


def test_a_subscriber_who_left_gets_nothing_queued(
    tree, mailserver, django_capture_on_commit_callbacks
):
    add_subscriber("ann@example.com", blog=tree.blog, frequency=Frequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        fresh_post(tree.blog)
    from byline.newsletters.services import subscriber_unsubscribe

    subscriber_unsubscribe(email="ann@example.com")
    assert Delivery.objects.get().status == DeliveryStatus.CANCELLED


def test_preferences_leave_a_list_waiting_for_its_confirmation_alone(tree):
    """Lists waiting for the reader's confirmation are not on the page: saving it neither
    drops them nor counts them as lists the reader still has."""
    from byline.newsletters.services import preferences_save

    blog = f"blog:{tree.blog.pk}"
    reader = add_subscriber("ann@example.com", blog=tree.blog, author=tree.author)
    Subscription.objects.filter(subscriber=reader, author=tree.author).update(confirmed=False)
    preferences_save(subscriber=reader, keep={blog}, frequency=reader.frequency)
    assert sorted(s.scope for s in reader.subscriptions.all()) == sorted(
        [blog, f"author:{tree.author.pk}"]
    )
    # Every confirmed list off: they have left, whatever still waits for a confirmation.
    preferences_save(subscriber=reader, keep=set(), frequency=reader.frequency)
    assert Subscriber.objects.get(pk=reader.pk).status == SubscriberStatus.UNSUBSCRIBED
