"""Admin login lock-out (django-axes) through Wagtail's real login form: 5 failures as one user
name from one address (an IPv6 /64) lock that user name there for 15 minutes, and nowhere else;
any app server sees it (the count is in the database)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture
def editor_user(db):
    return get_user_model().objects.create_user(
        "editor", "editor@example.com", "right-pw", is_superuser=True
    )


def login(client, password, *, username="editor", ip="203.0.113.7"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def test_the_policy_is_five_failures_for_fifteen_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["ip_address", "username"]]


def test_a_right_password_signs_in(client, editor_user):
    response = login(client, "right-pw")
    assert response.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_four_failures_still_let_the_editor_in(client, editor_user):
    for _ in range(4):
        response = login(client, "wrong")
        assert response.status_code == 200  # the form again, with its error
        assert "Your username and password" in response.content.decode()
    assert login(client, "right-pw").status_code == 302


def test_the_fifth_failure_locks_even_the_right_password_out(client, editor_user):
    for _ in range(4):
        login(client, "wrong")
    fifth = login(client, "wrong")
    assert fifth.status_code == 429
    assert "Sign-in locked" in fifth.content.decode()
    response = login(client, "right-pw")
    assert response.status_code == 429
    assert client.get(reverse("wagtailadmin_home")).status_code == 302  # not signed in


def test_a_stranger_cannot_lock_the_editor_out_from_elsewhere(client, editor_user):
    """Five failures as "editor" from a stranger's address lock that address out of "editor";
    the editor, signing in from their own address, does not notice."""
    for _ in range(5):
        login(client, "wrong", ip="198.51.100.66")
    assert login(client, "right-pw", ip="198.51.100.66").status_code == 429
    assert login(client, "right-pw", ip="192.0.2.1").status_code == 302


def test_the_lock_is_on_the_user_name_at_that_address_only(client, editor_user):
    get_user_model().objects.create_user("other", "o@example.com", "other-pw", is_superuser=True)
    for _ in range(5):
        login(client, "wrong")
    assert login(client, "right-pw").status_code == 429
    assert login(client, "other-pw", username="other").status_code == 302


def test_an_ipv6_64_is_one_address(client, editor_user):
    """A client picks any address of its /64 at will (RFC 8981): five failures spread over
    five of them lock the user name for the whole /64, and for no other network."""
    for number in range(1, 6):
        login(client, "wrong", ip=f"2001:db8:1:2::{number:x}")
    assert login(client, "right-pw", ip="2001:db8:1:2:ffff::9").status_code == 429
    assert login(client, "right-pw", ip="2001:db8:1:3::1").status_code == 302


def test_an_ipv4_mapped_address_is_its_ipv4_address(client, editor_user):
    for _ in range(5):
        login(client, "wrong", ip="::ffff:203.0.113.7")
    assert login(client, "right-pw", ip="203.0.113.7").status_code == 429


def test_the_lock_lifts_after_the_cool_off(client, editor_user):
    for _ in range(5):
        login(client, "wrong")
    assert login(client, "right-pw").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert login(client, "right-pw").status_code == 302


def test_attempts_keep_no_password():
    client_password = "a-secret-guess"
    from django.test import Client

    Client().post(
        LOGIN, {"username": "editor", "password": client_password}, REMOTE_ADDR="203.0.113.7"
    )
    attempt = AccessAttempt.objects.get()
    assert client_password not in attempt.post_data


def test_password_reset_requests_are_rate_limited(client, editor_user, settings, mailoutbox):
    """Five an hour from one address (each may mail an editor), then 429 and no mail; another
    address is not affected."""
    settings.BYLINE_PASSWORD_RESET_RATE_LIMIT = "5/h"
    settings.BYLINE_PASSWORD_RESET_RECIPIENT_RATE_LIMIT = "10/h"  # not what this counts
    reset = reverse("wagtailadmin_password_reset")
    assert reset == "/admin/password_reset/"
    assert "no-store" in client.get(reset)["Cache-Control"]  # as every admin view
    for _ in range(5):
        response = client.post(reset, {"email": "editor@example.com"}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 302
    assert len(mailoutbox) == 5
    refused = client.post(reset, {"email": "editor@example.com"}, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert len(mailoutbox) == 5
    elsewhere = client.post(reset, {"email": "editor@example.com"}, REMOTE_ADDR="198.51.100.9")
    assert elsewhere.status_code == 302 and len(mailoutbox) == 6


def test_a_user_name_longer_than_axes_keeps_is_a_failed_sign_in(client, editor_user):
    """Wagtail's front-end login takes a user name of any length, and axes stored it whole:
    past 255 characters PostgreSQL refused the row (a 500). It is cut to what axes keeps."""
    response = client.post(
        "/_util/login/", {"username": "a" * 256, "password": "x"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "a" * 255


def test_one_inbox_gets_three_reset_mails_an_hour_from_any_number_of_senders(
    client, editor_user, settings, mailoutbox
):
    """Many addresses (a botnet) each under their own limit still reach one inbox at most
    three times an hour, however its address is written; others' resets go on, and an
    address nobody has is refused alike (the refusal tells nothing of accounts)."""
    settings.BYLINE_PASSWORD_RESET_RATE_LIMIT = "5/h"
    settings.BYLINE_PASSWORD_RESET_RECIPIENT_RATE_LIMIT = "3/h"
    reset = reverse("wagtailadmin_password_reset")
    spellings = ["editor@example.com", " Editor@Example.com", "EDITOR@EXAMPLE.COM"]
    for number, email in enumerate(spellings, start=1):
        response = client.post(reset, {"email": email}, REMOTE_ADDR=f"203.0.113.{number}")
        assert response.status_code == 302
    assert len(mailoutbox) == 3
    refused = client.post(reset, {"email": "editor@example.com"}, REMOTE_ADDR="198.51.100.4")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "this e-mail address" in refused.content.decode()
    assert len(mailoutbox) == 3

    get_user_model().objects.create_user(
        "other", "other@example.com", "pw", is_superuser=True, is_staff=True
    )
    response = client.post(reset, {"email": "other@example.com"}, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302 and len(mailoutbox) == 4
    for number in range(3):
        client.post(reset, {"email": "nobody@example.com"}, REMOTE_ADDR=f"192.0.2.{number}")
    unknown = client.post(reset, {"email": "nobody@example.com"}, REMOTE_ADDR="192.0.2.9")
    assert unknown.status_code == 429


def test_a_long_s_is_the_same_inbox_for_the_reset_limit(client, db, settings, mailoutbox):
    """ſ (a long s) folds to s: Django's reset form mails sam@ for ſam@ on PostgreSQL (it
    compares after NFKC and case folding), so it counts against sam@'s three."""
    settings.BYLINE_PASSWORD_RESET_RECIPIENT_RATE_LIMIT = "3/h"
    get_user_model().objects.create_user(
        "sam", "sam@example.com", "pw", is_superuser=True, is_staff=True
    )
    reset = reverse("wagtailadmin_password_reset")
    for number, email in enumerate(["sam@example.com", "ſam@example.com", "SAM@example.com"]):
        response = client.post(reset, {"email": email}, REMOTE_ADDR=f"203.0.113.{number}")
        assert response.status_code == 302
    refused = client.post(reset, {"email": "ſam@example.com"}, REMOTE_ADDR="198.51.100.4")
    assert refused.status_code == 429
    assert 2 <= len(mailoutbox) <= 3  # SQLite's case-insensitive match is ASCII only
