"""Where an import goes: the publication home, its blog index and the blog, made if missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import slugify
from wagtail.models import Site

from byline.blogs.models import BlogIndexPage, BlogPage
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
    the index and the blog are created, and published, if missing."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site else None
    if not isinstance(home, PublicationPage):
        raise ImportRefused(
            "there is no publication to import into: the default site's root page must "
            "be the publication home (run `byline demo` or create one in the admin)"
        )
    index = BlogIndexPage.objects.child_of(home).first()
    if index is None:
        index = BlogIndexPage(title="Blogs", slug="blogs")
        home.add_child(instance=index)
        index.save_revision(log_action=False).publish(log_action=False)
    slug = slugify(blog_slug or channel.title or "blog") or "blog"
    blog = BlogPage.objects.child_of(index).filter(slug=slug).first()
    if blog is None:
        blog = BlogPage(title=channel.title or slug, slug=slug)
        index.add_child(instance=blog)
        blog.save_revision(log_action=False).publish(log_action=False)
        report.counts["blogs created"] += 1
    return Target(site=site, home=home, blog=blog, blog_url=blog.get_url() or f"/blogs/{slug}/")
