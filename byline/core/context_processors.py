"""Template context every reader page needs: the publication's name and its navigation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest
from wagtail.models import Page, Site

from byline.core import frame

# At most this many links in the masthead's row of sections and the footer's list of pages.
MAX_LINKS = 12


@dataclass(frozen=True)
class NavLink:
    title: str
    url: str
    current: str  # the aria-current value, or ""


@dataclass(frozen=True)
class _NavPage:
    title: str
    url: str
    depth: int
    show_in_menus: bool


class SiteNav:
    """The masthead's sections and the footer's pages, read (in one query, plus Wagtail's one
    for view restrictions) only when a template uses them, and then once per content version
    in each process (byline.core.frame): an error page or the admin never pays for them.

    Sections are the pages editors tick "Show in menus" one or two levels below the home page
    (the blog index, each blog, "About"); on a site where none is ticked, the pages one level
    down, which the footer lists too (the blog index, "About", "Privacy"…). Only live pages
    without a view restriction are listed: the same HTML goes to every reader (the page
    store), so nothing here depends on who asks, only on the address (the current section is
    marked with aria-current).
    """

    def __init__(self, site: Site | None, path: str, request: HttpRequest | None = None):
        self.site = site
        self.path = path
        self.request = request

    def _read(self) -> tuple[_NavPage, ...]:
        root = self.site.root_page
        pages = (
            Page.objects.descendant_of(root)
            .filter(depth__in=(root.depth + 1, root.depth + 2))
            .live()
            .public()
            .order_by("path")
            .only("title", "url_path", "depth", "path", "show_in_menus", "draft_title")
        )
        read = []
        for page in pages[: MAX_LINKS * 4]:
            url = page.get_url(current_site=self.site)
            if url:
                read.append(_NavPage(page.title, url, page.depth, page.show_in_menus))
        return tuple(read)

    @cached_property
    def _pages(self) -> tuple[_NavPage, ...]:
        if self.site is None:
            return ()
        return frame.remembered(self.request, ("nav", self.site.pk), self._read)

    def _link(self, page: _NavPage) -> NavLink:
        url = page.url
        # "page" on the section's own address, "true" anywhere under it (ARIA 1.2).
        current = "page" if url == self.path else "true" if self.path.startswith(url) else ""
        return NavLink(page.title, url, current=current if url != "/" else "")

    def _links(self, pages: list[_NavPage]) -> list[NavLink]:
        return [self._link(page) for page in pages[:MAX_LINKS]]

    @cached_property
    def sections(self) -> list[NavLink]:
        in_menus = [page for page in self._pages if page.show_in_menus]
        if in_menus:
            return self._links(in_menus)
        return self.pages

    @cached_property
    def marked(self) -> str:
        """The sections this address marks current, and how: all the masthead varies with
        besides the site (a key for remembering it)."""
        return " ".join(f"{link.url}={link.current}" for link in self.sections if link.current)

    @cached_property
    def pages(self) -> list[NavLink]:
        depth = self.site.root_page.depth + 1 if self.site else 0
        return self._links([page for page in self._pages if page.depth == depth])


def publication(request: HttpRequest) -> dict:
    # find_for_request caches on the request, and Wagtail's own serving has already called it.
    site = Site.find_for_request(request)
    return {
        "site_name": (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME,
        "site_nav": SiteNav(site, request.path, request),
    }
