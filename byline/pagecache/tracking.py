"""What a page being rendered for the store depends on, noted as the ORM loads it.

While the storing middleware renders a page for the store, every post, author, tag and image that
Django instantiates is noted (Django's ``post_init``): the page shows them, so a change to one
of them must purge it. Outside such a render the receivers return at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.db.models.signals import post_init

from byline.core import frame
from byline.pagecache import tags

_deps: ContextVar[set[str] | None] = ContextVar("byline_pagecache_deps", default=None)


def start() -> object:
    return _deps.set(set())


def stop(token: object) -> set[str]:
    deps = _deps.get() or set()
    _deps.reset(token)
    return deps


class FrameTracker(frame.DependencyTracker):
    """Pieces remembered per content version (byline.core.frame) note what they loaded when
    they were built, always (the render that builds one may not be one the store keeps), and
    a stored render using one notes the same again."""

    def start(self) -> object:
        return _deps.set(set())

    def stop(self, token: object, *, replay: bool = True) -> frozenset[str]:
        noted = frozenset(_deps.get() or ())
        _deps.reset(token)
        if replay:
            self.replay(noted)
        return noted

    def replay(self, noted: frozenset[str] | None) -> None:
        deps = _deps.get()
        if deps is not None and noted:
            deps.update(noted)

    def noted_for(self, rows: Iterable[object]) -> frozenset[str]:
        return frozenset(
            tag_of(row.pk)
            for row in rows
            if row is not None and row.pk is not None
            for model, tag_of in _noted_models
            if isinstance(row, model)
        )


def _noter(tag_of):
    def receiver(sender, instance, **kwargs) -> None:
        deps = _deps.get()
        if deps is not None and instance.pk is not None:
            deps.add(tag_of(instance.pk))

    return receiver


_receivers = {}
# The models whose loading is noted, and the store's tag for a row of each (connect()).
_noted_models: list[tuple[type, Callable[[int], str]]] = []


def connect() -> None:
    from taggit.models import Tag
    from wagtail.images import get_image_model

    from byline.blogs.models import Author, PostPage

    frame.track_dependencies(FrameTracker())
    for model, prefix, tag_of in (
        (PostPage, "post", tags.post),
        (Author, "author", tags.author),
        (Tag, "tag", tags.tag),
        (get_image_model(), "image", tags.image),
    ):
        if (model, tag_of) not in _noted_models:
            _noted_models.append((model, tag_of))
        receiver = _receivers.setdefault(prefix, _noter(tag_of))
        post_init.connect(receiver, sender=model, weak=False, dispatch_uid=f"pagecache-{prefix}")
