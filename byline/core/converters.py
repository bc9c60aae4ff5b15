"""URL converters: slugs as Wagtail and taggit make them, Unicode letters included."""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import StringConverter


class UnicodeSlugConverter(StringConverter):
    """A slug of letters (any script), digits, hyphens and underscores: Django's `slug`
    converter takes ASCII only, and a tag "économie", a column "café" or an imported author
    could then be neither reached nor linked to (a page linking to one answered 500)."""

    regex = r"[-\w]+"


def register() -> None:
    register_converter(UnicodeSlugConverter, "uslug")
