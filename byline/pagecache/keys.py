"""Which requests the page store may answer, and the key of the page each one asks for.

Everything here reads only the WSGI environ and settings: the store-serving layer runs it
before Django, on every request, so it must be cheap and must never touch the database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from django.conf import settings
from django.http.request import host_validation_re, validate_host

# The environ entry that marks a request the store could not answer (the storing middleware
# keeps what Django renders for it).
ENVIRON_KEY = "byline.pagecache.key"
# Beside it, for a render whose entry needs no brotli body (`byline bake`: see
# services.compressed).
ENVIRON_GZIP_ONLY = "byline.pagecache.gzip_only"
# ?page=N is the only query a stored page may have; anything else (search, tracking
# parameters, /?p=ID of WordPress) goes to Django and is never stored. A ?page=N render is
# kept only where the view paginated and page N exists (middleware.keeps).
PAGE_QUERY = re.compile(r"page=([1-9][0-9]{0,5})")
MAX_PATH = 1024
MAX_QUERY = len("page=999999")
# Longest query read for tracking parameters (BYLINE_PAGECACHE_IGNORED_PARAMETERS): a
# newsletter's utm_* set or an fbclid is a few hundred characters.
MAX_TRACKED_QUERY = 2048
MAX_HOST = 255
# Printable characters only: no controls, no spaces, no backslashes (which some servers
# treat as separators).
UNSAFE_PATH = re.compile(r"[\x00-\x20\x7f\\]")
# ?page=1 is the plain address's page (byline.core.pagination); its own key would store it twice.
FIRST_PAGE = "page=1"
DEFAULT_PORTS = {"http": "80", "https": "443"}
# Django's host syntax (django.http.request.split_domain_port), compiled here: Django's is
# compiled lazily behind a proxy object, which made reading a host four times slower.
HOST_SYNTAX = re.compile(host_validation_re.pattern)
# Settings besides BYLINE_PAGECACHE_* that the key depends on (apps.py watches them).
CONFIG_SETTINGS = frozenset(
    {
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SECURE_PROXY_SSL_HEADER",
        "ALLOWED_HOSTS",
        "DEBUG",
    }
)


@dataclass(frozen=True)
class PageKey:
    """A stored page's identity: what the store files it under and what it was asked as.

    `host` is the site's host as the key has it (lower case, no trailing dot, no default
    port) and `port` the port in it, if any. `storable` is False for a request that may be
    answered from the store but whose render must not be kept: a variant of the host
    (``LOCALHOST``, ``localhost.``, ``localhost:0080``), a host ALLOWED_HOSTS admits only
    through a pattern, or ``?page=1``. Renders for those would otherwise each take an entry,
    and carry their odd host into the page's absolute links. Nor is one kept for a port the
    server does not listen on (middleware.keeps): that is the connection's, not the key's."""

    key: str
    path: str
    query: str
    host: str = ""
    port: str = ""
    storable: bool = True
    # The request's query had tracking parameters, which `query` leaves out: Django is to
    # see the query without them (wsgi.PageStoreApp), so its render is the plain address's.
    dropped: bool = False


@dataclass(frozen=True)
class _Config:
    enabled: bool
    exempt: tuple[str, ...]
    cookies: frozenset[str]
    prefixes: tuple[str, ...]
    proxy_header: tuple[str, str] | None
    allowed_hosts: tuple[str, ...]
    named_hosts: frozenset[str]
    ignored: frozenset[str]
    ignored_prefixes: tuple[str, ...]


@lru_cache(maxsize=1)
def _config() -> _Config:
    # Read once: every request asks, and a settings lookup costs more than the whole key.
    # Tests that change these settings reset it (see reset_config and apps.py).
    cookies = frozenset(settings.BYLINE_PAGECACHE_BYPASS_COOKIES) | {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        "messages",
    }
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # as HttpRequest.get_host()
    # The host names a render may be stored for: those ALLOWED_HOSTS names outright (a
    # ".example.com" pattern names example.com), never every name a pattern or "*" admits.
    named = frozenset(host.lower().removeprefix(".") for host in allowed if host != "*")
    ignored = settings.BYLINE_PAGECACHE_IGNORED_PARAMETERS
    return _Config(
        enabled=bool(settings.BYLINE_PAGECACHE),
        exempt=tuple(settings.BYLINE_PAGECACHE_EXEMPT_PATHS),
        cookies=cookies,
        prefixes=tuple(settings.BYLINE_PAGECACHE_BYPASS_COOKIE_PREFIXES),
        proxy_header=settings.SECURE_PROXY_SSL_HEADER,
        allowed_hosts=tuple(allowed),
        named_hosts=named,
        ignored=frozenset(name for name in ignored if not name.endswith("*")),
        ignored_prefixes=tuple(name[:-1] for name in ignored if name.endswith("*")),
    )


# Keys of the addresses asked for lately (None for one that is never stored), so that a hit
# does not check and hash its path again. Bounded; cleared whole when full, as a burst of
# distinct addresses (a crawler) is not worth an LRU's bookkeeping on every hit.
_recent: dict[tuple[str, str, str, str, bool], PageKey | None] = {}
RECENT_KEYS = 4096


def reset_config() -> None:
    """Forget the settings read so far (tests change them)."""
    _config.cache_clear()
    _recent.clear()


def has_bypass_cookie(cookie_header: str) -> bool:
    """True when the request carries a session, CSRF, messages or other personalising cookie.

    A malformed cookie header counts as personal: better a render than a wrong page."""
    if not cookie_header:
        return False
    config = _config()
    names, prefixes = config.cookies, config.prefixes
    for part in cookie_header.split(";"):
        name, sep, _value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            return True
        if name in names or (prefixes and name.startswith(prefixes)):
            return True
    return False


def _without_tracking(query: str, *, config: _Config) -> str | None:
    """`query` without its tracking parameters (BYLINE_PAGECACHE_IGNORED_PARAMETERS), the
    others in their order; None if it has none."""
    kept, dropped = [], False
    for part in query.split("&"):
        name = part.partition("=")[0]
        if name in config.ignored or (
            config.ignored_prefixes and name.startswith(config.ignored_prefixes)
        ):
            dropped = True
        elif part:
            kept.append(part)
    return "&".join(kept) if dropped else None


def page_key(environ: Mapping[str, str]) -> PageKey | None:
    """The key of the stored page this request may be answered with, or None: go to Django.

    A query of tracking parameters (utm_source, fbclid…), with or without ?page=N, is read
    as the query without them (the key says so: `dropped`).

    None for anything but GET/HEAD, a query other than ?page=N, an odd path (dot segments,
    doubled slashes, control characters, not UTF-8, too long), an exempt prefix (the admin,
    static files, search…), a host Django would refuse (ALLOWED_HOSTS), credentials, or a
    personalising cookie.
    """
    config = _config()
    if not config.enabled:
        return None
    method = environ.get("REQUEST_METHOD", "")
    if method != "GET" and method != "HEAD":
        return None
    if environ.get("HTTP_AUTHORIZATION"):
        return None
    cookie = environ.get("HTTP_COOKIE")
    if cookie and has_bypass_cookie(cookie):
        return None
    scheme = environ.get("wsgi.url_scheme", "http")
    proxy_header = config.proxy_header
    if proxy_header and environ.get(proxy_header[0]) == proxy_header[1]:
        scheme = "https"
    raw = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    host = environ.get("HTTP_HOST") or ""
    if len(raw) > MAX_PATH or len(host) > MAX_HOST or len(query) > MAX_TRACKED_QUERY:
        return None  # never stored, and never kept here either: that is memory on demand
    dropped = False
    if query and not PAGE_QUERY.fullmatch(query):
        # Remembered by what is left: every click from Facebook has an fbclid of its own.
        untracked = _without_tracking(query, config=config)
        if untracked is None or len(untracked) > MAX_QUERY:
            return None
        query, dropped = untracked, True
    recent = (raw, query, host, scheme, dropped)
    try:
        return _recent[recent]
    except KeyError:
        pass
    key = _key_for(raw, query, host, scheme, config=config)
    if key is not None and dropped:
        key = replace(key, dropped=True)
    if len(_recent) >= RECENT_KEYS:
        _recent.clear()
    _recent[recent] = key
    return key


def normal_host(host: str, scheme: str) -> tuple[str, str] | None:
    """The name and port of `host` (a Host header) as keys have them, or None for a host
    Django cannot read (it answers 400).

    The name as Django reads it (django.http.request.split_domain_port): lower case, one
    trailing dot dropped. The port, which Django does not check, without leading zeros and
    empty when it is the scheme's default: ``LOCALHOST.:0080`` is ``localhost``. Whether the
    name is one of ALLOWED_HOSTS is the caller's question.
    """
    match = HOST_SYNTAX.fullmatch(host.lower())
    if match is None:
        return None
    domain, port = match.groups(default="")
    domain = domain.removesuffix(".")
    if not domain:
        return None
    if port:
        port = port.lstrip("0") or "0"
        if port == DEFAULT_PORTS.get(scheme):
            port = ""
    return domain, port


def _key_for(raw: str, query: str, host: str, scheme: str, *, config: _Config) -> PageKey | None:
    if query and not PAGE_QUERY.fullmatch(query):
        return None
    if not raw.startswith("/") or UNSAFE_PATH.search(raw):
        return None
    try:
        # WSGI hands the path over as latin-1 text of the raw bytes.
        path = raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if "//" in path or "/./" in path or "/../" in path or path.endswith(("/.", "/..")):
        return None
    if path.startswith(config.exempt):
        return None
    parts = normal_host(host, scheme)
    if parts is None:
        return None  # Django answers 400, and no stored page may answer instead
    domain, port = parts
    if domain not in config.named_hosts and not validate_host(domain, config.allowed_hosts):
        return None
    site = f"{domain}:{port}" if port else domain
    storable = host == site and domain in config.named_hosts
    if query == FIRST_PAGE:
        query, storable = "", False
    digest = hashlib.sha256(f"{scheme}\n{site}\n{path}\n{query}".encode()).hexdigest()
    return PageKey(key=digest, path=path, query=query, host=site, port=port, storable=storable)


def bake_key(path: str, query: str = "", *, host: str, scheme: str = "http") -> str:
    """The key `page_key` gives a plain GET of `path` on `host`."""
    domain, port = normal_host(host, scheme) or (host.lower(), "")
    site = f"{domain}:{port}" if port else domain
    if query == FIRST_PAGE:
        query = ""
    return hashlib.sha256(f"{scheme}\n{site}\n{path}\n{query}".encode()).hexdigest()
