"""Django's cached_db sessions, with a session key checked for what Django's keys are made of."""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore


class SessionStore(CachedDBStore):
    """Django checks only a cookie's key for its length, and its cookie parser unescapes
    octal: `sessionid="\\000abcdefghij"` reached PostgreSQL as a NUL and a 500 on every page
    that reads the session. A key Django makes is 32 ASCII letters and digits; any other is
    no session."""

    def _validate_session_key(self, key: str | None) -> bool:
        return bool(super()._validate_session_key(key) and key.isascii() and key.isalnum())
