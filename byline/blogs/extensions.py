"""What the apps built on blogs add to its listings, registered from their own ready(): blogs
shows it without importing them.

Usage, in an app above (``comments/apps.py``)::

    from byline.blogs.extensions import add_listing_annotation

    add_listing_annotation("approved_comment_count", approved_comment_count)

Every queryset's ``for_listing()`` then carries ``post.approved_comment_count``, computed in
the listing's own query (a subquery per annotation, not a query per post).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models.expressions import Combinable

_listing_annotations: dict[str, Callable[[], Combinable]] = {}


def add_listing_annotation(name: str, expression: Callable[[], Combinable]) -> None:
    """Annotate every listing of posts with `name`, the value of `expression()` (made afresh
    for each queryset: expressions with outer references are not shared)."""
    _listing_annotations[name] = expression


def listing_annotations() -> dict[str, Combinable]:
    return {name: make() for name, make in _listing_annotations.items()}
