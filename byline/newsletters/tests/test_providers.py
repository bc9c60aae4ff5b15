"""A provider's bounce and complaint webhooks (django-anymail) suppress the address."""

from __future__ import annotations

import base64
import json

import pytest

from byline.newsletters.models import Subscriber, SubscriberStatus

from .conftest import add_subscriber

pytestmark = pytest.mark.django_db
URL = "/newsletter/anymail/postmark/tracking/"


def postmark(client, record: dict, *, secret="hook:s3cret"):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        URL,
        json.dumps(record),
        content_type="application/json",
        headers={"Authorization": f"Basic {auth}"},
    )


@pytest.fixture
def secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}


def hard_bounce(email: str) -> dict:
    return {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "ID": 42,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": email,
        "BouncedAt": "2026-12-03T01:00:00Z",
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    }


def test_a_hard_bounce_suppresses(client, tree, secret):
    add_subscriber("gone@example.com", everything=True)
    assert postmark(client, hard_bounce("gone@example.com")).status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.SUPPRESSED
    assert subscriber.suppressed_reason.startswith("Postmark: bounced")


def test_a_complaint_suppresses(client, tree, secret):
    add_subscriber("angry@example.com", everything=True)
    record = {
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "ID": 43,
        "MessageID": "a",
        "Email": "angry@example.com",
        "BouncedAt": "2026-12-03T01:00:00Z",
    }
    assert postmark(client, record).status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.SUPPRESSED


def test_a_forged_event_is_refused(client, tree, secret):
    add_subscriber("victim@example.com", everything=True)
    response = postmark(client, hard_bounce("victim@example.com"), secret="hook:guess")
    assert response.status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


def test_without_a_secret_the_webhooks_are_off(client, tree, settings):
    settings.ANYMAIL = {}
    add_subscriber("victim@example.com", everything=True)
    assert postmark(client, hard_bounce("victim@example.com")).status_code == 404
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


def test_a_bounce_finds_an_address_whatever_form_its_domain_is_in(client, tree, secret):
    """The reader typed bücher.example; the mail went out as xn--bcher-kva.example, and the
    provider reports that form back."""
    add_subscriber("ann@bücher.example", everything=True)
    assert postmark(client, hard_bounce("ann@xn--bcher-kva.example")).status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.SUPPRESSED


def test_an_erasure_finds_an_address_whatever_form_its_domain_is_in(tree):
    from io import StringIO

    from django.core.management import call_command

    add_subscriber("ann@xn--bcher-kva.example", everything=True)
    out = StringIO()
    call_command("subscribers", "erase", "ann@Bücher.example", stdout=out)
    assert "erased 1 subscriber record" in out.getvalue()
    assert not Subscriber.objects.exists()
