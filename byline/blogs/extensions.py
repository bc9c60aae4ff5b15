"""What the apps built on blogs add to its listings, registered from their own ready(): blogs
shows it without importing them.

Usage, in an app above (``comments/apps.py``)::

    from byline.blogs.extensions import add_listing_annotation

    add_listing_annotation("approved_comment_count", approved_comment_count)

Every queryset's ``for_listing()`` then carries ``post.approved_comment_count``, computed in
the listing's own query (a subquery per annotation, not a query per post).

Amendments (``corrections/apps.py``) are dated notes on a published post that feeds and
JSON-LD show as the post's modified date and its schema.org ``correction``::

    from byline.blogs.extensions import add_post_amendments

    add_post_amendments(amendments_of_posts)  # post ids -> PostAmendment, in one query
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from django.db.models.expressions import Combinable

_listing_annotations: dict[str, Callable[[], Combinable]] = {}
_listing_values: dict[str, Callable[[Collection[int]], dict[int, object]]] = {}


def add_listing_annotation(
    name: str,
    expression: Callable[[], Combinable],
    *,
    values_of: Callable[[Collection[int]], dict[int, object]] | None = None,
) -> None:
    """Annotate every listing of posts with `name`, the value of `expression()` (made afresh
    for each queryset: expressions with outer references are not shared).

    `values_of(post_ids)` gives the same values for many posts in one query, for a value
    that changes without a new content version (a comment count): listings remembered under
    the version (byline.blogs.listing.remembered_posts) read it afresh on every render; a
    post missing from its result has the value 0."""
    _listing_annotations[name] = expression
    if values_of is not None:
        _listing_values[name] = values_of


def listing_annotations() -> dict[str, Combinable]:
    return {name: make() for name, make in _listing_annotations.items()}


def fresh_listing_values(post_ids: Collection[int]) -> dict[str, dict[int, object]]:
    """The values registered with `values_of`, read now for `post_ids`."""
    if not post_ids:
        return {name: {} for name in _listing_values}
    return {name: values_of(post_ids) for name, values_of in _listing_values.items()}


@dataclass(frozen=True)
class PostAmendment:
    """A dated note on a published post that machines are told of (a correction, say): it
    moves the post's modified date in its metadata and feeds, and, when `is_correction`, is a
    schema.org CorrectionComment in its JSON-LD. `text` is plain text; `note` is the source
    app's own record, for the app that shows it on the post's page."""

    post_id: int
    published_at: datetime.datetime
    text: str
    is_correction: bool
    note: object = field(default=None, compare=False)


_amendment_sources: list[Callable[[Collection[int]], Iterable[PostAmendment]]] = []


def add_post_amendments(source: Callable[[Collection[int]], Iterable[PostAmendment]]) -> None:
    """Register `source(post_ids)`, which gives the amendments of those posts (in one query:
    a feed asks for all its items at once)."""
    if source not in _amendment_sources:
        _amendment_sources.append(source)


def post_amendments(post_ids: Collection[int]) -> dict[int, list[PostAmendment]]:
    """The amendments of each post, newest first; a post with none is not in the result."""
    found: dict[int, list[PostAmendment]] = {}
    if not post_ids:
        return found
    for source in _amendment_sources:
        for amendment in source(post_ids):
            found.setdefault(amendment.post_id, []).append(amendment)
    for amendments in found.values():
        amendments.sort(key=lambda amendment: amendment.published_at, reverse=True)
    return found


def amendments_of_post(post) -> list[PostAmendment]:
    """The amendments of one post, newest first, read once per post object: its <head>, its
    JSON-LD and the notes on its page all ask."""
    if "_byline_amendments" not in post.__dict__:
        post.__dict__["_byline_amendments"] = post_amendments([post.pk]).get(post.pk, [])
    return post.__dict__["_byline_amendments"]


def post_modified(post, amendments: list[PostAmendment]) -> datetime.datetime | None:
    """When `post` last changed in a way readers were told of: its newest amendment, or its
    date. Republishing it without one (a typo fixed) does not make it "modified"."""
    moments = [post.date, *(amendment.published_at for amendment in amendments)]
    return max(filter(None, moments), default=None)
