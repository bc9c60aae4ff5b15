"""Keep readers' Featured lists and their renditions in step with edits elsewhere."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django_tasks.backends.immediate import ImmediateBackend
from wagtail.images import get_image_model
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from byline.featured.models import FeaturedItem, FeaturedList
from byline.featured.signals import announce_featured_change, featured_changed
from byline.images.tasks import warm_renditions


def _announce_lists(items, reason: str) -> None:
    blog_ids = set(items.values_list("featured_list__blog_id", flat=True).distinct())
    for blog_id in blog_ids:
        announce_featured_change(sender=FeaturedList, blog_id=blog_id, reason=reason)


def item_saved_or_deleted(sender, instance: FeaturedItem, **kwargs) -> None:
    list_blog_id = (
        FeaturedList.objects.filter(pk=instance.featured_list_id)
        .values_list("blog_id", flat=True)
        .first()
    )
    reason = "item-deleted" if kwargs.get("signal") is post_delete else "item-saved"
    announce_featured_change(sender=FeaturedItem, blog_id=list_blog_id, reason=reason, item=True)


def list_deleted(sender, instance: FeaturedList, **kwargs) -> None:
    announce_featured_change(sender=FeaturedList, blog_id=instance.blog_id, reason="list-deleted")


def page_changed(sender, instance, **kwargs) -> None:
    """A linked page's title, excerpt, lead image, address or visibility changed."""
    _announce_lists(FeaturedItem.objects.filter(page_id=instance.pk), "page-changed")


def image_changed(sender, instance, **kwargs) -> None:
    """A new file or focal point means new renditions, at new addresses."""
    from byline.blogs.models import PostPage

    lead_of = PostPage.objects.filter(lead_image=instance).values("pk")
    items = FeaturedItem.objects.filter(Q(image=instance) | Q(image__isnull=True, page__in=lead_of))
    _announce_lists(items, "image-changed")


def warm_list_renditions(sender, *, blog_id: int | None, **kwargs) -> None:
    """After a list changes, make its card renditions off the request path."""
    from byline.blogs.models import PostPage

    items = FeaturedItem.objects.filter(featured_list__blog_id=blog_id)
    lead_images = PostPage.objects.filter(
        pk__in=items.filter(image__isnull=True).values("page_id"), lead_image__isnull=False
    ).values_list("lead_image_id", flat=True)
    image_ids = set(items.exclude(image__isnull=True).values_list("image_id", flat=True))
    image_ids.update(lead_images)
    if image_ids and not isinstance(warm_renditions.get_backend(), ImmediateBackend):
        # With a worker, the renditions are ready before the first reader asks. Without one
        # (tests, BYLINE_TASKS_IMMEDIATE) the editor's save would wait seconds for AVIF
        # encoding instead; the first page view makes them then, once.
        warm_renditions.enqueue(image_ids=sorted(image_ids), preset_names=["card"])


def connect() -> None:
    post_save.connect(item_saved_or_deleted, sender=FeaturedItem)
    post_delete.connect(item_saved_or_deleted, sender=FeaturedItem)
    post_delete.connect(list_deleted, sender=FeaturedList)
    for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
        signal.connect(page_changed)
    post_save.connect(image_changed, sender=get_image_model())
    featured_changed.connect(warm_list_renditions)
