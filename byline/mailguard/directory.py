"""Whose addresses Byline knows: authors' e-mail, their contact pages, and which are public."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from django.core.cache import cache
from django.http import HttpRequest
from django.http.request import RawPostDataException

from byline.core.reversing import reverse
from byline.mailguard.protect import Contact, find_addresses, normalize_address

CACHE_KEY = "mailguard:authors:v1"
# Authors change rarely and every change clears the entry (signal_handlers.py); the timeout
# only bounds how long a change made around the cache (a raw SQL update) can go unseen.
CACHE_TIMEOUT = 3600
# How much of a request's own text is searched for addresses it carries: a search or a
# comment, not an upload.
READER_TEXT_LIMIT = 64 * 1024


def author_rows() -> list[tuple[str, str, str, bool]]:
    """(email, name, slug, email_is_public) of every author with an address, cached."""
    rows = cache.get(CACHE_KEY)
    if rows is None:
        from byline.blogs.models import Author

        rows = list(
            Author.objects.exclude(email="").values_list("email", "name", "slug", "email_is_public")
        )
        cache.set(CACHE_KEY, rows, CACHE_TIMEOUT)
    return rows


def forget_authors() -> None:
    cache.delete(CACHE_KEY)


def reader_addresses(request: HttpRequest | None) -> set[str]:
    """The addresses a request carries itself, in its query string or its form: a page that
    shows them back (a search for one, a form shown again with its errors) must not label one
    with its author's name, or anyone could confirm a guess at an author's private address."""
    if request is None:
        return set()
    values = [value for _, given in request.GET.lists() for value in given]
    if request.method == "POST":
        # Not for a body the view read as a stream.
        with contextlib.suppress(RawPostDataException, OSError, ValueError):
            values += [value for _, given in request.POST.lists() for value in given]
    text = "\n".join(values)[:READER_TEXT_LIMIT]
    return {normalize_address(found.address) for found in find_addresses(text)}


def contact_path(slug: str) -> str:
    return reverse("mailguard:contact", kwargs={"slug": slug})


class AuthorDirectory(Mapping[str, Contact]):
    """Normalised address -> Contact, read only when a response turns out to hold an address:
    most pages hold none, and they cost no cache or database round trip."""

    def __init__(self, request: HttpRequest | None = None):
        self.request = request
        self._contacts: dict[str, Contact] | None = None

    def _load(self) -> dict[str, Contact]:
        if self._contacts is None:
            self._contacts = {}
            echoed = reader_addresses(self.request)
            for email, name, slug, public in author_rows():
                address = normalize_address(email)
                if address in echoed:
                    continue
                path = contact_path(slug)
                url = self.request.build_absolute_uri(path) if self.request else path
                self._contacts[address] = Contact(name, path, url, public)
        return self._contacts

    def __getitem__(self, key: str) -> Contact:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())
