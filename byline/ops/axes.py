"""The address django-axes counts login failures by: a pseudonym, never the reader's address.

Axes keeps the address of every failed (and, with its access log, every successful) login in
an IP address column (``inet`` on PostgreSQL), so a plain hash would not fit. This gives each
client a stable IPv6 address in the unique-local range fd00::/8 whose other 120 bits come from
the same salted, keyed hash that comments, rate limits and request logs use: still a valid
address, the same one for the same client and for every address of its IPv6 /64 (lock-out by
address keeps working), and useless for recovering the real one. Point
``AXES_CLIENT_IP_CALLABLE`` at :func:`hashed_client_ip`.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from byline.core.formguard import client_ip, ip_hash


def pseudonymous_address(ip: str) -> str:
    """The fd00::/8 address standing for `ip` (compressed, as Django stores IPv6)."""
    digest = ip_hash(ip)  # 32 hex digits; 30 of them fill all but the "fd" prefix
    return str(ipaddress.IPv6Address(int("fd" + digest[:30], 16)))


def hashed_client_ip(request: HttpRequest) -> str:
    """AXES_CLIENT_IP_CALLABLE: the pseudonym of the address `client_ip` finds."""
    return pseudonymous_address(client_ip(request.META))


# The longest user name axes records: its AccessAttempt and AccessFailureLog columns hold 255,
# and Wagtail's front-end login (/_util/login/) takes a user name of any length.
USERNAME_LENGTH = 255


def client_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the user name tried, as axes finds it, cut to the length its
    tables hold (past it PostgreSQL refused the row: a 500 for a 256-character user name)."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return username[:USERNAME_LENGTH] if isinstance(username, str) else username
