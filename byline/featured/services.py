"""What a page's Featured list shows now, when that next changes, and which pages show it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from types import EllipsisType

from django.db.models import Min, Q
from django.http import HttpRequest
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Page
from wagtail.query import PageQuerySet

from byline.core import frame
from byline.featured.models import FeaturedItem
from byline.images.presets import all_specs


@dataclass(frozen=True)
class ShownItem:
    """A featured item as readers see it, with the page's defaults filled in."""

    title: str
    url: str
    summary: str
    image: AbstractImage | None
    alt: str
    is_external: bool


def blog_id_of(page: Page | None) -> int | None:
    """The blog whose list applies to `page`: the blog itself or a post's parent blog."""
    from byline.blogs.models import BlogPage, PostPage

    if isinstance(page, BlogPage):
        return page.pk
    if isinstance(page, PostPage):
        # Posts are children of their blog: the parent's path is the post's minus one step.
        return (
            BlogPage.objects.filter(path=page.path[: -Page.steplen]).values_list("pk", flat=True)
        ).first()
    return None


def _scope_filter(blog_id: int | None) -> Q:
    site_wide = Q(featured_list__blog__isnull=True)
    return site_wide | Q(featured_list__blog=blog_id) if blog_id else site_wide


def featured_items_for(
    *,
    page: Page | None,
    blog: Page | None = None,
    blog_id: int | None | EllipsisType = ...,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> list[ShownItem]:
    """The items to show beside `page` at `now`, in the editor's order: the page's blog's own
    list if it has an item showing, else the site-wide list. Pass `blog` (or its `blog_id`,
    None for none) when the caller has the page's blog at hand (a post page's context does)
    to save looking it up.

    A fixed number of queries however long the list: items, linked posts, images and their
    renditions (one each).
    """
    from byline.blogs.models import PostPage

    if blog_id is ...:
        blog_id = blog.pk if blog is not None else blog_id_of(page)
    items = list(
        FeaturedItem.objects.showing(now)
        .filter(_scope_filter(blog_id))
        .select_related("page", "featured_list")
        .order_by("sort_order", "pk")
    )
    own = [item for item in items if item.featured_list.blog_id is not None]
    items = own or [item for item in items if item.featured_list.blog_id is None]
    if not items:
        return []

    # Posts carry the excerpt, the lead image and the dated URL the defaults come from.
    post_ids = [item.page_id for item in items if item.page_id]
    # Not their bodies: the list never shows them, and they are the biggest column there is.
    posts = (
        {post.pk: post for post in PostPage.objects.filter(pk__in=post_ids).defer_streamfields()}
        if post_ids
        else {}
    )
    image_ids = set()
    for item in items:
        post = posts.get(item.page_id)
        image_id = item.image_id or (post.lead_image_id if post else None)
        if image_id:
            image_ids.add(image_id)
    images = (
        get_image_model().objects.filter(pk__in=image_ids).prefetch_renditions(*all_specs("card"))
        if image_ids
        else []
    )
    images = {image.pk: image for image in images}

    shown = []
    for item in items:
        target = posts.get(item.page_id) or item.page
        if target is not None and isinstance(target, PostPage) and target.date is None:
            continue  # live but undated: not yet public at its address
        image = images.get(item.image_id or getattr(target, "lead_image_id", None))
        alt = ""
        if image is not None and not item.image_is_decorative:
            alt = item.image_alt or image.description or ""
        shown.append(
            ShownItem(
                title=item.title or (target.title if target else ""),
                url=target.get_url(request) if target else item.url,
                summary=item.summary
                or getattr(target, "excerpt", "")
                or getattr(target, "search_description", "")
                or "",
                image=image,
                alt=alt,
                is_external=target is None,
            )
        )
    return shown


def featured_next_change(
    *,
    page: Page | None = None,
    blog_id: int | None | EllipsisType = ...,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> datetime.datetime | None:
    """When a window that matters to `page` (or to the lists of `blog_id`, None for the
    site-wide one; every list when neither is given) next opens or closes: the time its
    rendered Featured list goes stale. None when no window lies ahead.

    With `request` (and no `now`), remembered per content version in this process
    (byline.core.frame) until that moment: every change to a list or an item starts a new
    version, and nothing else moves a window. The page store asks this for every page it
    keeps; a post's blog is then looked up once per blog, not once per post."""
    if request is not None and now is None:
        return frame.remembered(
            request,
            ("featured-next-change", *_scope(page, blog_id)),
            lambda: featured_next_change(page=page, blog_id=blog_id),
            until=_epoch,
        )
    now = now or timezone.now()
    items = FeaturedItem.objects.all()
    if blog_id is ... and page is not None:
        blog_id = blog_id_of(page)
    if blog_id is not ...:
        items = items.filter(_scope_filter(blog_id))
    bounds = items.aggregate(
        starts=Min("show_from", filter=Q(show_from__gt=now)),
        ends=Min("show_until", filter=Q(show_until__gt=now)),
    )
    upcoming = [moment for moment in bounds.values() if moment is not None]
    return min(upcoming) if upcoming else None


def _scope(page: Page | None, blog_id: int | None | EllipsisType) -> tuple:
    """What the next change of `page` (or `blog_id`) depends on, without a query: a post's
    blog is the page at its parent's path (every move starts a new content version)."""
    from byline.blogs.models import BlogPage, PostPage

    if blog_id is not ...:
        return ("blog", blog_id)
    if page is None:
        return ("every",)
    if isinstance(page, PostPage):
        return ("under", page.path[: -Page.steplen])
    return ("blog", page.pk if isinstance(page, BlogPage) else None)


def _epoch(moment: datetime.datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def featured_affected_pages(*, blog_id: int | None) -> PageQuerySet:
    """The pages whose output may change when the list of `blog_id` (None: the site-wide list)
    changes: that blog and its posts, or the home page and every blog and post."""
    from byline.blogs.models import BlogPage, PostPage
    from byline.publication.models import PublicationPage

    if blog_id is not None:
        blog = BlogPage.objects.get(pk=blog_id)
        return Page.objects.live().descendant_of(blog, inclusive=True)
    return Page.objects.live().type(PublicationPage, BlogPage, PostPage)
