"""Renditions made ahead: when an image is uploaded, imported or given a new focal point."""

from __future__ import annotations

from django.db.models.signals import post_save
from wagtail.images import get_image_model

from byline.images.tasks import make_renditions_later

# The fields renditions are made from. Wagtail saves file_size and file_hash by themselves the
# first time it reads a file; those saves (and others naming none of these) need none made.
RENDITION_FIELDS = frozenset(
    {
        "file",
        "width",
        "height",
        "focal_point_x",
        "focal_point_y",
        "focal_point_width",
        "focal_point_height",
    }
)


def image_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """Queue the image's preset renditions. In the same transaction as the save (a row of the
    task queue): a save rolled back queues nothing, and the worker sees the task only once the
    image (and, in the admin's edit view, the removal of its old renditions) is committed. A
    save changing nothing they are made from finds them all there and makes none."""
    if update_fields is not None and not RENDITION_FIELDS & set(update_fields):
        return
    make_renditions_later([instance.pk])


def connect() -> None:
    post_save.connect(image_saved, sender=get_image_model(), dispatch_uid="byline-images-saved")
