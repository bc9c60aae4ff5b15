"""Where an import goes: the publication home, its blog index and the blog, made if missing."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.utils.text import slugify
from wagtail.models import Page, Site

from byline.blogs.models import BlogIndexPage, BlogPage
from byline.core.links import base_url
from byline.importers.wxr import Channel, WXRError
from byline.publication.models import PublicationPage

if TYPE_CHECKING:
    from byline.importers.report import ImportReport


class ImportRefused(WXRError):
    """The import cannot run at all (no publication to import into, and the like)."""


@dataclass(frozen=True)
class Target:
    """The default site, its publication home, and the blog the posts go into."""

    site: Site
    home: PublicationPage
    blog: BlogPage
    blog_url: str


def prepare_target(blog_slug: str | None, channel: Channel, report: ImportReport) -> Target:
    """The blog `blog_slug` (else the export's title, slugified) under the home's blog index;
    the home (on a fresh install), the index and the blog are created, and published, if
    missing. Called inside the import's transaction: a failed import leaves none of them."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site else None
    if not isinstance(home, PublicationPage):
        site, home = _new_publication(site, channel, report)
    index = BlogIndexPage.objects.child_of(home).first()
    if index is None:
        index = BlogIndexPage(title="Blogs", slug="blogs")
        _publish(home, index)
    slug = slugify(blog_slug or channel.title or "blog") or "blog"
    blog = BlogPage.objects.child_of(index).filter(slug=slug).first()
    if blog is None:
        blog = BlogPage(title=_plain(channel.title) or slug, slug=slug)
        _publish(index, blog)
        report.counts["blogs created"] += 1
    return Target(site=site, home=home, blog=blog, blog_url=blog.get_url() or f"/blogs/{slug}/")


def _plain(text: str) -> str:
    # WordPress stores the site title with its entities encoded ("Tom &amp; Jerry").
    return html.unescape(text or "").strip()


def _publish(parent: Page, page: Page) -> None:
    parent.add_child(instance=page)
    page.save_revision(log_action=False).publish(log_action=False)


def _new_publication(
    site: Site | None, channel: Channel, report: ImportReport
) -> tuple[Site, PublicationPage]:
    """A fresh install (`byline migrate` and nothing else): the publication home, named after
    the exported site, becomes the default site's root in place of Wagtail's welcome page.

    Only then: a site whose root is some other page with content, or that has a publication
    home elsewhere in the tree, was set up by someone, and the import does not rearrange it."""
    old_root = site.root_page if site else None
    is_welcome_page = (
        old_root is not None
        and old_root.depth == 2
        and old_root.specific_class is Page
        and old_root.numchild == 0
    )
    if PublicationPage.objects.exists() or (old_root is not None and not is_welcome_page):
        raise ImportRefused(
            "there is no publication to import into: the default site's root page must "
            "be the publication home (set it under Settings › Sites in the admin)"
        )
    title = _plain(channel.title) or "Publication"
    home = PublicationPage(
        title=title[:255],
        slug=slugify(title)[:50] or "publication",
        tagline=_plain(channel.description)[:255],
    )
    _publish(Page.get_first_root_node(), home)
    if site is None:
        url = urlsplit(base_url())
        site = Site.objects.create(
            hostname=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 80),
            root_page=home,
            is_default_site=True,
            site_name=title[:255],
        )
    else:
        site.root_page = home
        site.site_name = title[:255]
        site.save()
    if old_root is not None:
        # Wagtail's "Welcome to your new Wagtail site!", from its first migration.
        old_root.delete()
        home.refresh_from_db()
    report.notes.append(f"the publication home {title!r} was created (a fresh install)")
    return site, home
