"""Background work: generate renditions before the first reader asks for them."""

from __future__ import annotations

import logging

from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend
from wagtail.images import get_image_model

from byline.images.presets import PRESETS, SOCIAL_SPEC, existing_renditions, specs_for
from byline.images.signals import renditions_ready

logger = logging.getLogger(__name__)


@task()
def warm_renditions(
    *, image_ids: list[int], preset_names: list[str], extra_specs: list[str] = ()
) -> int:
    """Generate (or find) every rendition the presets need for these images, and those of
    `extra_specs`, so that the first page to show them does not pay for AVIF and WebP
    encoding; then send renditions_ready for the images that had some missing. Returns how
    many images have them all."""
    done, made = 0, []
    for image in get_image_model().objects.filter(pk__in=image_ids):
        specs = [spec for name in preset_names for spec in specs_for(image, name)]
        specs += [spec for spec in extra_specs if spec not in specs]
        try:
            missing = [spec for spec in specs if spec not in existing_renditions(image, specs)]
            if missing:
                image.get_renditions(*missing)
                made.append(image.pk)
        except Exception:  # noqa: BLE001
            # One unreadable original must not stop the others; pages skip it too.
            logger.exception("Cannot generate renditions of image %s", image.pk)
            continue
        done += 1
    if made:
        renditions_ready.send(sender=get_image_model(), image_ids=made)
    return done


def renditions_in_background() -> bool:
    """Whether a task worker makes renditions: with the immediate backend (tests,
    BYLINE_TASKS_IMMEDIATE) a task would run in the request that queues it, so renditions
    are made where a page first asks for them instead."""
    return not isinstance(warm_renditions.get_backend(), ImmediateBackend)


def make_renditions_later(image_ids: list[int]) -> None:
    """Queue the renditions of every preset (and the social card) for these images, when a
    worker makes them."""
    if image_ids and renditions_in_background():
        warm_renditions.enqueue(
            image_ids=sorted(image_ids), preset_names=list(PRESETS), extra_specs=[SOCIAL_SPEC]
        )
