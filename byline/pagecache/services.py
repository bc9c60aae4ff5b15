"""Storing rendered pages and purging exactly the ones a change affects."""

from __future__ import annotations

import gzip
import hashlib
import logging
import time

import brotli
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from wagtail.models import Page

from byline.blogs import related
from byline.blogs.visibility import is_restricted
from byline.pagecache import tags
from byline.pagecache.store import Entry, get_store

logger = logging.getLogger(__name__)

# Headers the store sets itself on every answer, or that must never be replayed.
OWN_HEADERS = {
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "cache-control",
    "vary",
    "date",
    "expires",
    "set-cookie",
    "x-byline-cache",
}
COMPRESSIBLE = ("text/", "application/rss+xml", "application/atom+xml", "application/xml")
COMPRESSIBLE_EXTRA = (
    "application/feed+json",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
)
# More than this many posts on one page (the sitemap, a full feed): depend on every post
# instead of writing one marker per post.
MAX_POST_DEPS = 300


# -- what a page is and what it depends on ------------------------------------------------


def collections_for(request: HttpRequest) -> tuple[list[str], list[str], Page | None] | None:
    """The collections (a listing and all its pages, or one post's page) the page answering
    `request` belongs to, extra dependencies, and the Wagtail page shown with a Featured list;
    None for a page of a kind the store does not know (it is not stored)."""
    from byline.blogs.models import BlogIndexPage, BlogPage, PostPage
    from byline.publication.models import PublicationPage

    page = getattr(request, "_pagecache_page", None)
    if page is not None:
        # Any page may show its readers' comments (posts, standard pages that take them).
        if isinstance(page, PostPage):
            return [tags.post_page(page.pk)], [tags.comments(page.pk), tags.FEATURED_SITE], page
        if isinstance(page, BlogPage):
            return [tags.blog(page.pk)], [tags.FEATURED_SITE], page
        if isinstance(page, PublicationPage):
            return [tags.HOME], [tags.FEATURED_SITE], page
        if isinstance(page, BlogIndexPage):
            return [tags.BLOGS], [], None
        return [tags.page(page.pk)], [tags.comments(page.pk)], None
    match = request.resolver_match
    if match is None:
        return None
    collections = tags.view_collections(match.view_name, match.kwargs)
    return (collections, [], None) if collections is not None else None


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    """Only the same page for every reader: a plain 200 to an anonymous GET that sets no
    cookie, varies on nothing but the coding and does not forbid shared caching."""
    if request.method != "GET" or response.status_code != 200:
        return False
    if response.streaming or response.cookies or response.has_header("Content-Encoding"):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - {"accept-encoding"}:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    return len(response.content) <= settings.BYLINE_PAGECACHE_MAX_BYTES


def compressed(body: bytes, content_type: str, *, brotli_too: bool = True) -> dict[str, bytes]:
    """The body as it is, gzipped, and brotli-compressed when that is smaller still.

    Without `brotli_too` (pages `byline bake` renders), no brotli body: a bake's files get a
    .gz beside them and no .br, so brotli would only serve readers of a server sharing the
    store, at 8% fewer bytes than gzip (5,122 against 5,574 for a post page), until the
    entry is rendered again (a purge, or BYLINE_PAGECACHE_MAX_AGE). It costs as much CPU as
    gzip: 0.47 ms a post page, a twentieth of a bake's."""
    bodies = {"identity": body}
    kind = content_type.split(";")[0].strip().lower()
    if len(body) < 512 or not (kind.startswith(COMPRESSIBLE) or kind in COMPRESSIBLE_EXTRA):
        return bodies
    gz = gzip.compress(body, compresslevel=6, mtime=0)
    if len(gz) < len(body):
        bodies["gzip"] = gz
    if not brotli_too:
        return bodies
    # A window just big enough for the body (64 kB at least) compresses as the default 4 MB
    # one does, without the encoder setting up 4 MB for a 20 kB page: 0.78 ms of CPU a page
    # became 0.58 in a bake (same sizes, within a few bytes).
    window = min(max((len(body) - 1).bit_length(), 16), 24)
    br = brotli.compress(body, quality=settings.BYLINE_PAGECACHE_BROTLI_QUALITY, lgwin=window)
    if len(br) < len(bodies.get("gzip", body)):
        bodies["br"] = br
    return bodies


def entry_for(
    request: HttpRequest,
    response: HttpResponse,
    *,
    deps: set[str],
    now: float | None = None,
    brotli_too: bool = True,
) -> Entry | None:
    """The entry to store for this response, or None when it must not be stored; with a
    brotli body unless `brotli_too` is False (see compressed)."""
    if not storable(request, response):
        return None
    page = getattr(request, "_pagecache_page", None)
    if page is not None and is_restricted(page):
        # Never kept, whoever passed the restriction: the store answers without asking.
        return None
    kinds = collections_for(request)
    if kinds is None:
        return None
    collections, extra, featured_page = kinds
    now = time.time() if now is None else now
    expires = now + settings.BYLINE_PAGECACHE_MAX_AGE
    if featured_page is not None:
        from byline.featured.services import featured_next_change

        # A Featured window opening or closing changes nothing in the database, so no purge
        # marks it: the page expires then instead. (Remembered per content version: asked
        # for every page stored, it would cost a query or two each.)
        moment = featured_next_change(page=featured_page, request=request)
        if moment is not None:
            expires = min(expires, moment.timestamp())
    posts = sorted(d for d in deps if d.startswith(tags.post("")))
    if len(posts) > MAX_POST_DEPS:
        deps = (deps - set(posts)) | {tags.ALL_POSTS}
    body = response.content
    return Entry(
        status=200,
        headers=[(k, v) for k, v in response.items() if k.lower() not in OWN_HEADERS],
        bodies=compressed(body, response.get("Content-Type", ""), brotli_too=brotli_too),
        etag=hashlib.sha256(body).hexdigest()[:32],
        last_modified=float(int(now)),
        expires=expires,
        path=request.get_full_path(),
        deps=sorted(set(deps) | set(extra)),
        collections=collections,
    )


# -- purging -------------------------------------------------------------------------------


def purge_now(tags: set[str], cascade: set[str], everything: bool) -> None:
    """Purge at once (callers run this after the change committed)."""
    store = get_store()
    try:
        if everything:
            store.purge_all()
        else:
            store.purge(tags, cascade=cascade)
    except Exception:
        # A store that cannot be purged must not serve what it holds any more: say so loudly.
        logger.exception("Could not purge the page store (tags %s)", sorted(tags | cascade))
        raise


def purge(
    *, tags: set[str] = frozenset(), cascade: set[str] = frozenset(), everything: bool = False
) -> None:
    """Purge the pages depending on `tags` (and, for `cascade` tags, every page of the
    listings those pages belong to) once the current transaction commits: before, another
    request could still read the old rows and store them again."""
    if not settings.BYLINE_PAGECACHE:
        return
    tags, cascade = set(tags), set(cascade)
    transaction.on_commit(lambda: purge_now(tags, cascade, everything))


def post_purge_tags(post) -> tuple[set[str], set[str]]:
    """What to purge when `post` (a PostPage) is published, edited, unpublished or deleted:
    every page showing it (and every page of those listings, since its arrival or departure
    shifts their pagination), its blog, authors and tags, the home page, site feeds and
    sitemaps, the posts beside it, whose previous/next links and "More from" lists name it,
    and the post pages sharing a tag with it, whose "Related" lists may."""
    from django.db.models import Q

    from byline.blogs.models import BlogPage, PostPage

    direct = {
        tags.post_page(post.pk),
        tags.comments(post.pk),
        tags.HOME,
        tags.SITE,
        tags.BLOGS,
        tags.ALL_POSTS,
    }
    blog = BlogPage.objects.filter(path=post.path[: -Page.steplen]).first()
    if blog is not None:
        direct |= {tags.blog(blog.pk), tags.blog_slug(blog.slug), tags.comments_blog(blog.slug)}
    for credit in post.post_authors.select_related("author").exclude(author=None):
        direct |= {tags.author(credit.author_id), tags.author_slug(credit.author.slug)}
    for tag in post.tags.all():
        # The tag's page, and every post page that loaded the tag (its own tags): their
        # "Related" lists may now name this post. A tag on every post makes this every post
        # page; they would mostly change anyway, the new post being the newest candidate.
        direct |= {tags.tag_slug(tag.slug), tags.tag(tag.pk)}
    date = getattr(post, "date", None)
    if blog is not None and date is not None:
        siblings = PostPage.objects.child_of(blog).published().exclude(pk=post.pk)
        before = Q(date__lt=date) | Q(date=date, pk__lt=post.pk)
        after = Q(date__gt=date) | Q(date=date, pk__gt=post.pk)
        # The post before it (its "next" link), and the posts after it whose "More from
        # <blog>" lists it among their previous posts.
        for neighbour in (
            siblings.filter(before).order_by("-date", "-pk").values_list("pk", flat=True)[:1],
            siblings.filter(after)
            .order_by("date", "pk")
            .values_list("pk", flat=True)[: related.MORE_COUNT],
        ):
            direct |= {tags.post_page(pk) for pk in neighbour}
    return direct, {tags.post(post.pk)}


def purge_post(post) -> None:
    """Purge after `post` changed, working out what from the database as committed."""
    if not settings.BYLINE_PAGECACHE:
        return
    from byline.blogs.models import PostPage

    post_id, path = post.pk, post.path

    def run() -> None:
        current = PostPage.objects.filter(pk=post_id).first()
        if current is None:
            # Gone: purge what showed it; its blog's pages shift.
            gone = {tags.post_page(post_id), tags.HOME, tags.SITE, tags.BLOGS, tags.ALL_POSTS}
            from byline.blogs.models import BlogPage

            blog = BlogPage.objects.filter(path=path[: -Page.steplen]).first()
            if blog is not None:
                gone |= {tags.blog(blog.pk), tags.blog_slug(blog.slug)}
            purge_now(gone, {tags.post(post_id)}, False)
            return
        direct, cascade = post_purge_tags(current)
        purge_now(direct, cascade, False)

    transaction.on_commit(run)
