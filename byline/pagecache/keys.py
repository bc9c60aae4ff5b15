"""Which requests the page store may answer, and the key of the page each one asks for.

Everything here reads only the WSGI environ and settings: the store-serving layer runs it
before Django, on every request, so it must be cheap and must never touch the database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

# The environ entry that marks a request the store could not answer (the storing middleware
# keeps what Django renders for it).
ENVIRON_KEY = "byline.pagecache.key"
# ?page=N is the only query a stored page may have; anything else (search, tracking
# parameters, /?p=ID of WordPress) goes to Django and is never stored.
PAGE_QUERY = re.compile(r"page=([1-9][0-9]{0,5})")
MAX_PATH = 1024
MAX_HOST = 255
# Printable characters only: no controls, no spaces, no backslashes (which some servers
# treat as separators).
UNSAFE_PATH = re.compile(r"[\x00-\x20\x7f\\]")
SAFE_HOST = re.compile(r"[a-z0-9.\-\[\]:]+")


@dataclass(frozen=True)
class PageKey:
    """A stored page's identity: what the store files it under and what it was asked as."""

    key: str
    path: str
    query: str


@lru_cache(maxsize=1)
def _config() -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...], tuple[str, str] | None]:
    exempt = tuple(settings.BYLINE_PAGECACHE_EXEMPT_PATHS)
    cookies = frozenset(settings.BYLINE_PAGECACHE_BYPASS_COOKIES) | {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        "messages",
    }
    prefixes = tuple(settings.BYLINE_PAGECACHE_BYPASS_COOKIE_PREFIXES)
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    return exempt, cookies, prefixes, proxy_header


def reset_config() -> None:
    """Forget the settings read so far (tests change them)."""
    _config.cache_clear()


def has_bypass_cookie(cookie_header: str) -> bool:
    """True when the request carries a session, CSRF, messages or other personalising cookie.

    A malformed cookie header counts as personal: better a render than a wrong page."""
    if not cookie_header:
        return False
    _exempt, names, prefixes, _proxy = _config()
    for part in cookie_header.split(";"):
        name, sep, _value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            return True
        if name in names or (prefixes and name.startswith(prefixes)):
            return True
    return False


def page_key(environ: Mapping[str, str]) -> PageKey | None:
    """The key of the stored page this request may be answered with, or None: go to Django.

    None for anything but GET/HEAD, a query other than ?page=N, an odd path (dot segments,
    doubled slashes, control characters, not UTF-8, too long), an exempt prefix (the admin,
    static files, search…), credentials, or a personalising cookie.
    """
    if not settings.BYLINE_PAGECACHE:
        return None
    method = environ.get("REQUEST_METHOD", "")
    if method not in ("GET", "HEAD"):
        return None
    if environ.get("HTTP_AUTHORIZATION") or has_bypass_cookie(environ.get("HTTP_COOKIE", "")):
        return None
    query = environ.get("QUERY_STRING", "")
    if query and not PAGE_QUERY.fullmatch(query):
        return None
    raw = environ.get("PATH_INFO", "")
    if not raw.startswith("/") or len(raw) > MAX_PATH or UNSAFE_PATH.search(raw):
        return None
    try:
        # WSGI hands the path over as latin-1 text of the raw bytes.
        path = raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if "//" in path or "/./" in path or "/../" in path or path.endswith(("/.", "/..")):
        return None
    exempt, _cookies, _prefixes, proxy_header = _config()
    if path.startswith(exempt):
        return None
    host = (environ.get("HTTP_HOST") or "").lower()
    if not host or len(host) > MAX_HOST or not SAFE_HOST.fullmatch(host):
        return None
    scheme = environ.get("wsgi.url_scheme", "http")
    if proxy_header and environ.get(proxy_header[0]) == proxy_header[1]:
        scheme = "https"
    digest = hashlib.sha256(f"{scheme}\n{host}\n{path}\n{query}".encode()).hexdigest()
    return PageKey(key=digest, path=path, query=query)


def bake_key(path: str, query: str = "", *, host: str, scheme: str = "http") -> str:
    """The key `page_key` gives a plain GET of `path` on `host`."""
    return hashlib.sha256(f"{scheme}\n{host.lower()}\n{path}\n{query}".encode()).hexdigest()
