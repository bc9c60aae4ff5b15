"""Named URLs worked out once per view name and arguments: Django's reverse(), remembered.

A post page asks for about thirty named URLs (its tags', its authors', the comment form's,
the feeds') and each reverse() walked the resolver's namespaces and patterns: 4-5% of a post
page's CPU in a bake. What reverse() answers depends on the URLconf, the script prefix, the
active language (translated patterns), the current application and the arguments; all of
them are in the key, so a test's override_settings(ROOT_URLCONF=...) (a new resolver) or a
request under another prefix gets its own answers.
"""

from __future__ import annotations

from typing import Any

from django.urls import get_resolver, get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

# Answers kept per process, then all dropped: the addresses every page shares (the frame's,
# the blogs', the feeds') and those of the tags and authors in use are asked for again and
# again; a post's own (its comment form's) only on its page. About 600 bytes an answer with
# its key: at most about 2.5 MB.
KEPT_URLS = 4096
_urls: dict[tuple, str] = {}


def reverse(
    viewname: str,
    urlconf: str | None = None,
    args: list | tuple | None = None,
    kwargs: dict[str, Any] | None = None,
    current_app: str | None = None,
) -> str:
    """django.urls.reverse(), remembered for view names given as text and arguments that are
    text or whole numbers."""
    if not isinstance(viewname, str) or not _plain(args, kwargs):
        return django_reverse(viewname, urlconf, args, kwargs, current_app)
    key = (
        get_resolver(urlconf if urlconf is not None else get_urlconf()),
        get_script_prefix(),
        get_language(),
        current_app,
        viewname,
        tuple(args) if args else (),
        tuple(sorted(kwargs.items())) if kwargs else (),
    )
    found = _urls.get(key)
    if found is None:
        found = django_reverse(viewname, urlconf, args, kwargs, current_app)
        if len(_urls) >= KEPT_URLS:
            _urls.clear()
        _urls[key] = found
    return found


# Exactly these types: reverse() writes str(value), and a subclass of str may write
# something other than what it equals (an enum member writes its name), which would share an
# answer with the plain text. A template's literal is a SafeString, whose str() is itself.
_PLAIN = frozenset({str, SafeString, int})


def _plain(args: list | tuple | None, kwargs: dict[str, Any] | None) -> bool:
    """Whether the arguments are all text or whole numbers (_PLAIN): what reverse() writes of
    them is then what they are. A model instance is hashed by its primary key but written as
    its str(), which an edit can change."""
    for value in (*(args or ()), *(kwargs.values() if kwargs else ())):
        if type(value) not in _PLAIN:
            return False
    return True
