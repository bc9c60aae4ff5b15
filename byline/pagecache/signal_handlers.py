"""Every change that readers can see reaches exactly the stored pages it affects.

A change that removes or hides something (unpublishing, deleting, a view restriction, a
comment going) purges them at once. One that leaves them correct in substance (a Featured
list, an author's bio, the publication's settings, an import) re-renders them in the
background, most-read first, while readers keep the copy they had (refresh.py): purging a
whole site at once sends every reader to a render.

Connected from PagecacheConfig.ready(); the other apps send their own signals or save their
models, and nothing here edits them.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from byline.core.signals import site_changed
from byline.pagecache import tags
from byline.pagecache.refresh import purge_post_later, refresh
from byline.pagecache.services import purge, purge_post


def _specific_class(instance):
    return getattr(instance, "specific_class", None) or type(instance)


def page_changed(sender, instance, **kwargs) -> None:
    """A page was published or unpublished (by an editor, the scheduler or an import)."""
    from byline.blogs.models import PostPage

    if issubclass(_specific_class(instance), PostPage):
        if kwargs.get("signal") is page_published:
            post_published(instance)
        else:
            # Taken off the site: every page showing it goes at once.
            purge_post(instance)
    else:
        # The home page, /blogs/, a blog or a standard page: their titles and descriptions
        # show in navigation and on many pages, and a blog's move re-addresses all its posts.
        purge(everything=True)


def post_published(post) -> None:
    """A post went live, or a new version of it did: its own page is purged at once (the
    editor looks at it next), and the pages around it (its blog's listings, the home page,
    feeds, its neighbours, the post pages sharing a tag with it) in the background, since
    working them out and purging them grows with the site (a tag on every post is every post
    page). Scheduled for later (Wagtail sends the signal with the post not live yet), it has
    changed nothing readers see."""
    if not post.live:
        return
    purge(tags={tags.post_page(post.pk)})
    purge_post_later(post)


def page_deleted(sender, instance, **kwargs) -> None:
    if not instance.live:
        return
    page_changed(sender, instance)


def page_moved_or_renamed(sender, instance, **kwargs) -> None:
    purge(everything=True)


# What an author's pages show that changes nothing but how they read: a save changing only
# these re-renders in the background. Any other field (the slug, which addresses their page;
# the e-mail address or whether it is shown; a field added later) purges at once.
AUTHOR_PRESENTATION = frozenset({"name", "role", "bio", "short_bio", "photo_id", "website"})


def author_saving(sender, instance, raw: bool = False, **kwargs) -> None:
    """Note the author's row before the save (one query), to tell a new bio from an address
    taken off their page."""
    if instance.pk is None or raw or not settings.BYLINE_PAGECACHE:
        return
    fields = [field.attname for field in sender._meta.concrete_fields]
    instance._pagecache_was = sender.objects.filter(pk=instance.pk).values(*fields).first()


def _presentation_only(instance) -> bool:
    was = instance.__dict__.pop("_pagecache_was", None)
    if was is None:
        return False
    changed = {name for name, value in was.items() if getattr(instance, name) != value}
    return changed <= AUTHOR_PRESENTATION


def author_changed(sender, instance, created: bool = False, **kwargs) -> None:
    # Every page that loaded the author (bylines, blog columnists, the author page) and the
    # author page under its slug.
    touched = {tags.author(instance.pk), tags.author_slug(instance.slug)}
    if kwargs.get("signal") is post_save and not created and _presentation_only(instance):
        refresh(tags=touched)
    else:
        purge(tags=touched)


def tag_changed(sender, instance, **kwargs) -> None:
    purge(tags={tags.tag(instance.pk), tags.tag_slug(instance.slug)})


def comments_changed(sender, post, **kwargs) -> None:
    """A comment appeared or went away: the post's page, its comment feeds and the listings
    showing its comment count. Looked up once the change commits, so that the comment's own
    save costs no query more."""
    from django.db import transaction

    from byline.pagecache.services import purge_now

    post_id, path = post.pk, post.path

    def run() -> None:
        from byline.blogs.models import BlogPage

        shown = {tags.post(post_id), tags.post_page(post_id), tags.comments(post_id)}
        blog_slug = (
            BlogPage.objects.filter(path=path[: -Page.steplen]).values_list("slug", flat=True)
        ).first()
        if blog_slug:
            shown.add(tags.comments_blog(blog_slug))
        purge_now(shown, set(), False)

    if settings.BYLINE_PAGECACHE:
        transaction.on_commit(run)


def corrections_changed(sender, *, post_id: int, **kwargs) -> None:
    """A correction, clarification or update was added, edited or deleted (sent after the
    commit): every page showing the post (its page, the listings and feeds whose items carry
    its updated date), the site feeds and /corrections/ with its feeds."""
    purge(tags={tags.post(post_id), tags.post_page(post_id), tags.SITE, tags.CORRECTIONS})


def featured_changed(sender, *, blog_id, **kwargs) -> None:
    """A Featured list was edited: its blog and that blog's posts, or (the site-wide list)
    every page that shows a Featured list; re-rendered in the background. (A post taken off
    the site leaves the cards that showed it through its own purge: they loaded it.)"""
    if blog_id is None:
        refresh(tags={tags.FEATURED_SITE})
        return
    from byline.featured.services import featured_affected_pages

    pages = featured_affected_pages(blog_id=blog_id).values_list("pk", flat=True)
    refresh(tags={tags.blog(blog_id), *(tags.post_page(pk) for pk in pages)})


def everything_changed(sender, **kwargs) -> None:
    """The site's host names changed: every key and absolute link with them."""
    purge(everything=True)


def everything_redrawn(sender, **kwargs) -> None:
    """The publication's settings (its footer), or an import or `demo --posts`
    (site_changed): every page re-rendered in the background. What an import hides
    (unpublished posts, restrictions) purges by its own signals."""
    refresh(everything=True)


def restriction_changed(sender, instance, **kwargs) -> None:
    """A view restriction was added, changed or lifted, on a post or on a page above many: the
    pages it covers, and every listing, feed, sitemap and count that shows them. Rare enough
    that purging everything is cheaper than working out which pages those are."""
    purge(everything=True)


def image_changed(sender, instance, created: bool = False, **kwargs) -> None:
    # A new image is on no page yet; a changed or deleted one may be on any, under rendition
    # addresses that no longer exist.
    # Wagtail fills in an image's size and hash the first time it reads the file (during a
    # render): that changes nothing a reader sees.
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= {"file_size", "file_hash"}:
        return
    if not created:
        purge(everything=True)


def renditions_ready(sender, *, image_ids, **kwargs) -> None:
    """Every rendition of these images is made: the pages that showed them drew the original
    (or the renditions there were) and are drawn again with all of them."""
    purge(tags={tags.image(pk) for pk in image_ids})


def connect() -> None:
    from taggit.models import Tag
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction

    from byline.blogs.models import Author
    from byline.comments.signals import comments_changed as comments_signal
    from byline.corrections.signals import corrections_changed as corrections_signal
    from byline.featured.signals import featured_changed as featured_signal
    from byline.images.signals import renditions_ready as renditions_signal
    from byline.publication.models import PublicationSettings

    uid = "byline-pagecache"
    page_published.connect(page_changed, dispatch_uid=f"{uid}-published")
    page_unpublished.connect(page_changed, dispatch_uid=f"{uid}-unpublished")
    pre_delete.connect(page_deleted, sender=Page, dispatch_uid=f"{uid}-page-deleted")
    post_page_move.connect(page_moved_or_renamed, dispatch_uid=f"{uid}-moved")
    page_slug_changed.connect(page_moved_or_renamed, dispatch_uid=f"{uid}-slug")
    for signal in (post_save, post_delete):
        signal.connect(author_changed, sender=Author, dispatch_uid=f"{uid}-author-{signal}")
        signal.connect(tag_changed, sender=Tag, dispatch_uid=f"{uid}-tag-{signal}")
        signal.connect(
            everything_redrawn, sender=PublicationSettings, dispatch_uid=f"{uid}-pub-{signal}"
        )
        signal.connect(everything_changed, sender=Site, dispatch_uid=f"{uid}-site-{signal}")
        signal.connect(
            restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"{uid}-restriction-{signal}",
        )
        signal.connect(
            image_changed, sender=get_image_model(), dispatch_uid=f"{uid}-image-{signal}"
        )
    comments_signal.connect(comments_changed, dispatch_uid=f"{uid}-comments")
    featured_signal.connect(featured_changed, dispatch_uid=f"{uid}-featured")
    corrections_signal.connect(corrections_changed, dispatch_uid=f"{uid}-corrections")
    pre_save.connect(author_saving, sender=Author, dispatch_uid=f"{uid}-author-saving")
    site_changed.connect(everything_redrawn, dispatch_uid=f"{uid}-site-changed")
    renditions_signal.connect(renditions_ready, dispatch_uid=f"{uid}-renditions")
