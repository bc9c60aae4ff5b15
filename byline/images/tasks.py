"""Background work: generate renditions before the first reader asks for them."""

from __future__ import annotations

import logging

from django_tasks import task
from wagtail.images import get_image_model

from byline.images.presets import specs_for

logger = logging.getLogger(__name__)


@task()
def warm_renditions(*, image_ids: list[int], preset_names: list[str]) -> int:
    """Generate (or find) every rendition the presets need for these images, so that the first
    page to show them does not pay for AVIF and WebP encoding. Returns how many images."""
    done = 0
    for image in get_image_model().objects.filter(pk__in=image_ids):
        for preset_name in preset_names:
            try:
                image.get_renditions(*specs_for(image, preset_name))
            except Exception:  # noqa: BLE001
                # One unreadable original must not stop the others; pages skip it too.
                logger.exception("Cannot generate renditions of image %s", image.pk)
                break
        else:
            done += 1
    return done
