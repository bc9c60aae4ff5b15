"""URL converters: slugs as Wagtail and taggit make them, Unicode letters included; ids that
fit a database's integer."""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import IntConverter, StringConverter


class UnicodeSlugConverter(StringConverter):
    """A slug of letters (any script), digits, hyphens and underscores: Django's `slug`
    converter takes ASCII only, and a tag "économie", a column "café" or an imported author
    could then be neither reached nor linked to (a page linking to one answered 500)."""

    regex = r"[-\w]+"


class RowIdConverter(IntConverter):
    """A row's id: at most 18 digits, below the 64-bit limit of SQLite's and PostgreSQL's
    integers. Django's `int` takes any number of digits, and a lookup through a page's link
    to its parent row (a post's id) with one past that limit raised OverflowError: a 500
    for /comments/post/99999999999999999999/feed/ where a 404 is due."""

    regex = "[0-9]{1,18}"


def register() -> None:
    register_converter(UnicodeSlugConverter, "uslug")
    register_converter(RowIdConverter, "rowid")
