"""Every change that readers can see purges exactly the stored pages it affects.

Connected from PagecacheConfig.ready(); the other apps send their own signals or save their
models, and nothing here edits them.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from byline.core.signals import site_changed
from byline.pagecache import tags
from byline.pagecache.services import purge, purge_post


def _specific_class(instance):
    return getattr(instance, "specific_class", None) or type(instance)


def page_changed(sender, instance, **kwargs) -> None:
    """A page was published or unpublished (by an editor, the scheduler or an import)."""
    from byline.blogs.models import PostPage

    if issubclass(_specific_class(instance), PostPage):
        purge_post(instance)
    else:
        # The home page, /blogs/, a blog or a standard page: their titles and descriptions
        # show in navigation and on many pages, and a blog's move re-addresses all its posts.
        purge(everything=True)


def page_deleted(sender, instance, **kwargs) -> None:
    if not instance.live:
        return
    page_changed(sender, instance)


def page_moved_or_renamed(sender, instance, **kwargs) -> None:
    purge(everything=True)


def author_changed(sender, instance, **kwargs) -> None:
    # Every page that loaded the author (bylines, blog columnists, the author page) and the
    # author page under its slug.
    purge(tags={tags.author(instance.pk), tags.author_slug(instance.slug)})


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
    every page that shows a Featured list."""
    if blog_id is None:
        purge(tags={tags.FEATURED_SITE})
        return
    from byline.featured.services import featured_affected_pages

    pages = featured_affected_pages(blog_id=blog_id).values_list("pk", flat=True)
    purge(tags={tags.blog(blog_id), *(tags.post_page(pk) for pk in pages)})


def everything_changed(sender, **kwargs) -> None:
    purge(everything=True)


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


def connect() -> None:
    from taggit.models import Tag
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction

    from byline.blogs.models import Author
    from byline.comments.signals import comments_changed as comments_signal
    from byline.corrections.signals import corrections_changed as corrections_signal
    from byline.featured.signals import featured_changed as featured_signal
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
            everything_changed, sender=PublicationSettings, dispatch_uid=f"{uid}-pub-{signal}"
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
    site_changed.connect(everything_changed, dispatch_uid=f"{uid}-site-changed")
