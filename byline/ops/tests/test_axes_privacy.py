"""django-axes keeps a pseudonym of the address that tries to sign in, never the address."""

import ipaddress

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model

from byline.ops.axes import hashed_client_ip, pseudonymous_address

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
CALLABLE = "byline.ops.axes.hashed_client_ip"


def login(client, password, *, ip):
    return client.post(
        LOGIN, {"username": "editor", "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def test_the_pseudonym_is_a_stable_unique_local_address_per_client(settings):
    settings.BYLINE_IP_HASH_SALT = "salt"
    one, again = pseudonymous_address("203.0.113.7"), pseudonymous_address("203.0.113.7")
    other = pseudonymous_address("2001:db8::1")
    assert one == again != other
    assert ipaddress.IPv6Address(one) in ipaddress.IPv6Network("fd00::/8")
    assert str(ipaddress.IPv6Address(one)) == one  # compressed, as Django stores it
    settings.BYLINE_IP_HASH_SALT = "another salt"
    assert pseudonymous_address("203.0.113.7") != one


def test_one_pseudonym_for_a_whole_ipv6_64():
    """A client moves about its /64 at will; lock-out by address must not lose it."""
    one = pseudonymous_address("2001:db8:1:2::1")
    assert one == pseudonymous_address("2001:db8:1:2:a:b:c:d")
    assert one != pseudonymous_address("2001:db8:1:3::1")
    assert pseudonymous_address("::ffff:203.0.113.7") == pseudonymous_address("203.0.113.7")


def test_the_callable_follows_the_trusted_proxy_rule(rf, settings):
    settings.BYLINE_TRUSTED_PROXIES = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert hashed_client_ip(request) == pseudonymous_address("198.51.100.4")


def test_failed_and_successful_logins_keep_no_address(client, settings):
    settings.AXES_CLIENT_IP_CALLABLE = CALLABLE
    settings.AXES_DISABLE_ACCESS_LOG = False  # the access log too, if a deployment keeps it
    get_user_model().objects.create_user("editor", "e@example.com", "right-pw", is_staff=True)
    for _ in range(2):
        login(client, "wrong", ip="203.0.113.7")
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 2
    assert attempt.ip_address == pseudonymous_address("203.0.113.7")
    assert login(client, "right-pw", ip="203.0.113.7").status_code == 302
    assert {log.ip_address for log in AccessLog.objects.all()} <= {
        pseudonymous_address("203.0.113.7")
    }


def test_lock_out_by_address_still_works_on_the_pseudonym(client, settings):
    settings.AXES_CLIENT_IP_CALLABLE = CALLABLE
    for _ in range(5):
        login(client, "x", ip="203.0.113.9")
    assert login(client, "any", ip="203.0.113.9").status_code == 429
    assert login(client, "any", ip="192.0.2.1").status_code == 200
    assert not AccessAttempt.objects.filter(ip_address="203.0.113.9").exists()
