"""The signed links in newsletter mail: confirm a sign-up, manage preferences, leave at once.

Each kind is signed with a salt of its own, so a token of one kind never opens another.
Nothing in them is secret (an address and a choice); the signature is what proves that the
reader got the mail. Confirmation links expire (BYLINE_NEWSLETTERS_CONFIRM_MAX_AGE); the
preferences and unsubscribe links in posts do not, since RFC 8058 expects an unsubscribe
link in an old message to work too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from byline.core.links import absolute_url

CONFIRM_SALT = "byline.newsletters.confirm"
MANAGE_SALT = "byline.newsletters.manage"
UNSUBSCRIBE_SALT = "byline.newsletters.unsubscribe"


class BadToken(Exception):
    """A link that was altered, forged, cut short or has expired; `expired` says which."""

    def __init__(self, *, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class Unsubscribe:
    email: str
    scopes: tuple[str, ...]  # what the mail came for; empty: everything
    issue_id: int | None


def _load(token: str, *, salt: str, max_age: int | None = None) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadToken(expired=True) from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise BadToken() from None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise BadToken()
    return data


def confirm_token(*, email: str, scope: str) -> str:
    return signing.dumps({"e": email, "s": scope}, salt=CONFIRM_SALT, compress=True)


def read_confirm_token(token: str) -> tuple[str, str]:
    """(email, scope) from a confirmation link, or BadToken."""
    data = _load(token, salt=CONFIRM_SALT, max_age=settings.BYLINE_NEWSLETTERS_CONFIRM_MAX_AGE)
    if not isinstance(data.get("s"), str):
        raise BadToken()
    return data["e"], data["s"]


def confirm_url(*, email: str, scope: str) -> str:
    return absolute_url(
        reverse("newsletters:confirm", args=[confirm_token(email=email, scope=scope)])
    )


def manage_token(email: str) -> str:
    return signing.dumps({"e": email}, salt=MANAGE_SALT, compress=True)


def read_manage_token(token: str) -> str:
    return _load(token, salt=MANAGE_SALT)["e"]


def manage_url(email: str) -> str:
    return absolute_url(reverse("newsletters:preferences", args=[manage_token(email)]))


def unsubscribe_token(
    *, email: str, scopes: list[str] | tuple[str, ...] = (), issue_id=None
) -> str:
    data: dict = {"e": email}
    if scopes:
        data["s"] = list(scopes)
    if issue_id:
        data["i"] = issue_id
    return signing.dumps(data, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> Unsubscribe:
    data = _load(token, salt=UNSUBSCRIBE_SALT)
    scopes = data.get("s", [])
    issue_id = data.get("i")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise BadToken()
    if issue_id is not None and not isinstance(issue_id, int):
        raise BadToken()
    return Unsubscribe(email=data["e"], scopes=tuple(scopes), issue_id=issue_id)


def unsubscribe_url(*, email: str, scopes=(), issue_id=None) -> str:
    token = unsubscribe_token(email=email, scopes=scopes, issue_id=issue_id)
    return absolute_url(reverse("newsletters:unsubscribe", args=[token]))
