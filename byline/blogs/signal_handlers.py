"""Receivers of the blogs app's own signal connections (connected in BlogsConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from taggit.models import Tag
from wagtail.models import Page

from byline.core import frame


def tagging_deleted(sender: type, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    """A post's tag, or a pinned related post, taken off without a page save: a new content
    version. Deleting a tag or a post takes such rows with it, a signal per row (a tag on
    every post is every post): the tag's or the post's own deletion bumps once for all of
    them."""
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if isinstance(model, type) and issubclass(model, (Tag, Page)):
        return
    frame.bump()
