"""Pagination for reader pages, where a bad page number is a 404 and never a 500."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest


def paginate(
    request: HttpRequest, object_list, per_page: int | None = None, *, count: int | None = None
) -> Page:
    """Return the page of `object_list` named by ?page=N.

    Page 1 is the default; anything that is not a positive whole number within range (``abc``,
    ``-1``, ``0``, ``99999999999999999999``) is a 404, as DESIGN.md's URL contract asks.
    `count`, when the caller knows it (byline.blogs.counts), saves counting `object_list`.
    The number shown is noted on the request (``request.listing_page_number``): the page store
    keeps a ?page=N render only where a view paginated, or every address would take ?page=N.
    """
    paginator = Paginator(object_list, per_page or settings.BYLINE_POSTS_PER_PAGE)
    if count is not None:
        paginator.count = count  # a cached_property: this is what it would have computed
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise Http404("No such page")
    number = int(raw)
    if number < 1 or (number > 1 and number > paginator.num_pages):
        raise Http404("No such page")
    request.listing_page_number = number
    return paginator.page(number)
