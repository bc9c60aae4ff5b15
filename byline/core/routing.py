"""Wagtail's page routing in two queries instead of two per level of the address."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from wagtail import views as wagtail_views
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from byline.core import frame


def _plain_route(page: Page) -> bool:
    """Whether the page's type routes its children as Wagtail's Page does (by slug, one
    level at a time): only then may the walk jump past it."""
    model = page.specific_class
    return model is not None and model.route is Page.route


# The levels below a site's root whose pages (the blog index, each blog, "About") are kept
# per content version, specific, for routing: at most FIRST_LEVELS_MAX of them.
FIRST_LEVELS = 2
FIRST_LEVELS_MAX = 500


def _first_levels(root: Page) -> dict[str, Page] | None:
    """The pages FIRST_LEVELS below `root`, specific, by url_path; None on a site with more
    of them than is worth keeping."""
    pages = Page.objects.filter(
        path__startswith=root.path, depth__gt=root.depth, depth__lte=root.depth + FIRST_LEVELS
    )
    if pages.count() > FIRST_LEVELS_MAX:
        return None
    return {page.url_path: page for page in pages.specific()}


def route(request: HttpRequest, path: str) -> RouteResult | None:
    """What `Page.route_for_request` would answer, read in one query for the pages the
    address walks through (by their url_path, which Wagtail keeps for every page) and one for
    the deepest of them, instead of a child lookup and a `specific` per level (a post under
    /blogs/<blog>/ took seven queries). The first page on the way whose type routes its own
    children (a blog's dated addresses) takes over with the rest of the address, as in
    Wagtail's walk. Anything unexpected (translations, a chain with a gap) is Wagtail's own
    walk."""
    site = Site.find_for_request(request)
    if site is None or getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return Page.route_for_request(request, path)
    root = site.root_page  # Wagtail reads it with the site
    components = [component for component in path.split("/") if component]
    candidates = [
        root.url_path + "".join(f"{c}/" for c in components[:n])
        for n in range(1, len(components) + 1)
    ]
    chain = [root]
    # The first levels (sections, blogs) come from what this process remembers of the
    # current content version; only deeper pages are read.
    known = frame.remembered(request, ("routes", site.pk), lambda: _first_levels(root))
    if known is not None:
        while len(chain) <= len(candidates) and candidates[len(chain) - 1] in known:
            chain.append(known[candidates[len(chain) - 1]])
        rest = candidates[len(chain) - 1 :]
        if chain[-1].depth < root.depth + FIRST_LEVELS or not all(map(_plain_route, chain)):
            rest = []  # nothing deeper to find, or a page that routes the rest itself
    else:
        rest = candidates
    if rest:
        chain += Page.objects.filter(
            url_path__in=rest, path__startswith=root.path, depth__gt=chain[-1].depth
        ).order_by("depth")
    # Each page must be a child of the one before (url_path is kept per page: a move still
    # under way could leave it stale): if not, walk as Wagtail does.
    for parent, child in zip(chain, chain[1:], strict=False):
        if child.depth != parent.depth + 1 or not child.path.startswith(parent.path):
            return Page.route_for_request(request, path)
    # Stop at the first page whose type routes for itself: it sees the rest of the address.
    stop = next((n for n, page in enumerate(chain) if not _plain_route(page)), len(chain) - 1)
    page = chain[stop].specific
    if stop:
        page._cached_parent_obj = chain[stop - 1]
    try:
        result = page.route(request, components[stop:])
    except Http404:
        result = None
    if result is not None and any(
        not ancestor.live for ancestor in chain[1:] if ancestor.depth < result[0].depth
    ):
        # Under an unpublished page (a blog unpublished without its posts): left out of
        # every listing, feed and sitemap (blogs.visibility), so not served either.
        result = None
    if result is not None:
        found = result[0]
        # A post found by its blog's own routing has the blog as its parent: keep it, as
        # Wagtail's walk does for the pages it passes, so the post need not read it again.
        if (
            found is not page
            and found.depth == page.depth + 1
            and found.path.startswith(page.path)
            and not hasattr(found, "_cached_parent_obj")
        ):
            found._cached_parent_obj = page
    request._wagtail_route_for_request = result
    return result


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's serve view, with the page found by `route` and the view restrictions
    covering it read from the content version's list (byline.core.frame), not the database."""
    if not hasattr(request, "_wagtail_route_for_request"):
        route(request, path)
    result = request._wagtail_route_for_request
    if result is not None:
        frame.remember_view_restrictions(request, result[0])
    return wagtail_views.serve(request, path)
