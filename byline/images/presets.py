"""Responsive image presets: which renditions each place on a page uses, and their markup.

One table (PRESETS) says, for each place an image appears, the widths, the crop and the
`sizes` the stylesheet gives it. Templates, the listing prefetch and the rendition warm-up all
read it, so the renditions a page asks for are the ones that were prefetched and pre-generated.

With a task worker, renditions are made in the background (byline.images.tasks) when an image
is saved, and a page drawn before they are ready shows what exists: the renditions made so far
in the fallback format, else the original. A reader's request never encodes an image.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from PIL import features
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage, AbstractRendition, Filter, Picture

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preset:
    widths: tuple[int, ...]
    # Width and height of the crop (fill, around the focal point); None keeps the image's shape.
    ratio: tuple[int, int] | None
    # Must match byline.css: the width the image is drawn at, per viewport.
    sizes: str
    # How many images at the top of a list load at once; the rest load lazily.
    eager: int


PRESETS: dict[str, Preset] = {
    # A Featured card: the aside is up to 25rem wide beside the content, full width below it.
    "card": Preset(
        widths=(320, 640, 960),
        ratio=(16, 9),
        sizes="(min-width: 62rem) 25rem, calc(100vw - 2.5rem)",
        eager=1,
    ),
    # A post's lead image in a listing: a thumbnail beside the summary.
    "thumb": Preset(
        widths=(160, 320, 480), ratio=(3, 2), sizes="(min-width: 40rem) 10rem, 7rem", eager=3
    ),
    # An image in a post's body: the text column.
    "body": Preset(
        widths=(480, 800, 1200, 1600),
        ratio=None,
        sizes="(min-width: 45rem) 42rem, calc(100vw - 2.5rem)",
        eager=1,
    ),
}


# The picture social networks show for a link to a page (Open Graph and JSON-LD, in
# byline.feeds.metadata): 1.91:1 at the size Facebook and X recommend, in the original's format.
# Made ahead with the presets' renditions.
SOCIAL_SPEC = "fill-1200x630"


def modern_formats() -> tuple[str, ...]:
    """Formats offered in <source> elements, best first; AVIF only where Pillow can write it."""
    if settings.BYLINE_IMAGES_AVIF and features.check("avif"):
        return ("avif", "webp")
    return ("webp",)


def fallback_format(image: AbstractImage) -> str:
    """PNG for images that may be drawings with transparency (PNG, GIF originals), else JPEG."""
    suffix = PurePosixPath(image.file.name or "").suffix.lower()
    return "png" if suffix in {".png", ".gif"} else "jpeg"


def _size_spec(preset: Preset, width: int) -> str:
    if preset.ratio is None:
        return f"width-{width}"
    ratio_w, ratio_h = preset.ratio
    return f"fill-{width}x{round(width * ratio_h / ratio_w)}"


def _widths_for(preset: Preset, image: AbstractImage) -> list[int]:
    # Wagtail never enlarges: asking a 500px image for 960px gives 500px again, and two srcset
    # candidates of one width are a parse error, so wider candidates are left out.
    widest = image.width
    if preset.ratio is not None:
        ratio_w, ratio_h = preset.ratio
        widest = min(widest, image.height * ratio_w // ratio_h)
    return [width for width in preset.widths if width <= widest] or [preset.widths[0]]


def specs_for(image: AbstractImage, preset_name: str) -> list[str]:
    """The rendition filter specs `image` needs in `preset_name`, fallback format last."""
    preset = PRESETS[preset_name]
    formats = (*modern_formats(), fallback_format(image))
    return [
        f"{_size_spec(preset, width)}|format-{fmt}"
        for fmt in formats
        for width in _widths_for(preset, image)
    ]


def all_specs(*preset_names: str) -> list[str]:
    """Every spec the presets can ask for, whatever the image: for prefetching renditions."""
    specs = []
    for name in preset_names:
        preset = PRESETS[name]
        for fmt in (*modern_formats(), "jpeg", "png"):
            specs += [f"{_size_spec(preset, width)}|format-{fmt}" for width in preset.widths]
    return specs


def rendition_prefetch(lookup: str, *preset_names: str) -> Prefetch:
    """A Prefetch of the renditions of the images at `lookup` (e.g. "lead_image__renditions")
    that Wagtail's get_renditions() reads instead of querying once per image."""
    rendition_model = get_image_model().get_rendition_model()
    return Prefetch(
        lookup,
        queryset=rendition_model.objects.filter(filter_spec__in=all_specs(*preset_names)),
        to_attr="prefetched_renditions",
    )


def image_alt(image: AbstractImage) -> str:
    """Alt text for an image from a StreamField ImageBlock (decorative, or its own alt text)
    or, failing that, the image's description. Never the title, which is often a file name."""
    if getattr(image, "decorative", False):
        return ""
    return getattr(image, "contextual_alt_text", None) or image.description or ""


def existing_renditions(image: AbstractImage, specs: list[str]) -> dict[str, AbstractRendition]:
    """Those of `specs` whose renditions of `image` exist (with its current focal point), by
    spec, in the order given; found among prefetched renditions, else in Wagtail's rendition
    cache and then the database (one query), never made."""
    filters = [Filter(spec=spec) for spec in specs]
    found = image.find_existing_renditions(*filters)
    rendition_model = image.get_rendition_model()
    # As get_renditions() does: what came from the database goes into the cache.
    fetched = {
        rendition_model.construct_cache_key(image, f.get_cache_key(image), f.spec): rendition
        for f, rendition in found.items()
        if not getattr(rendition, "_from_cache", False)
    }
    if fetched:
        rendition_model.cache_backend.set_many(fetched)
    return {f.spec: found[f] for f in filters if f in found}


def _original_html(image: AbstractImage, preset: Preset, attrs: dict) -> SafeString:
    """The original file, drawn at the preset's narrowest width (its own shape, uncropped):
    what a page shows before the image's renditions are made."""
    width = min(preset.widths[0], image.width or preset.widths[0])
    height = round(image.height * width / image.width) if image.width else width
    return format_html(
        '<img src="{}" width="{}" height="{}"{}>',
        image.file.url,
        width,
        height,
        mark_safe("".join(format_html(' {}="{}"', k, v) for k, v in attrs.items() if k != "sizes")),
    )


def _existing_html(image: AbstractImage, preset_name: str, attrs: dict) -> SafeString:
    """What exists of the preset's renditions, without making any: all of them, or those made
    so far if they include the fallback format, or else the original."""
    specs = specs_for(image, preset_name)
    found = existing_renditions(image, specs)
    fallback = f"|format-{fallback_format(image)}"
    if len(found) < len(specs):
        _ask_for_renditions(image)
        if not any(spec.endswith(fallback) for spec in found):
            return _original_html(image, PRESETS[preset_name], attrs)
    return format_html("{}", Picture(found, attrs).__html__())


def rendition_url(image: AbstractImage, spec: str) -> str:
    """The URL of `image`'s rendition for `spec` (one made ahead, such as SOCIAL_SPEC); until
    the worker has made it, the original's. Without a worker, the first page makes it."""
    from byline.images.tasks import renditions_in_background

    if not renditions_in_background():
        return image.get_rendition(spec).url
    rendition = existing_renditions(image, [spec]).get(spec)
    if rendition is None:
        _ask_for_renditions(image)
        return image.file.url
    return rendition.url


# Images whose renditions this process found missing and asked the worker for: once each, so
# that readers of an image uploaded before renditions were made ahead do not each queue it.
_asked: set[int] = set()
MAX_ASKED = 10_000


def _ask_for_renditions(image: AbstractImage) -> None:
    from byline.images.tasks import make_renditions_later

    if image.pk in _asked:
        return
    if len(_asked) >= MAX_ASKED:
        _asked.clear()
    _asked.add(image.pk)
    try:
        make_renditions_later([image.pk])
    except Exception:  # noqa: BLE001
        # The queue being unreachable costs the renditions, not the reader's page.
        logger.exception("Cannot queue the renditions of image %s", image.pk)


def image_loading(position: int, preset_name: str) -> str:
    """The <img> loading attribute for the image at `position` (0 first) of a page's images
    in a preset: the first `eager` load at once, the rest when scrolled to."""
    return "eager" if position < PRESETS[preset_name].eager else "lazy"


def picture_html(
    image: AbstractImage | None,
    preset_name: str,
    *,
    alt: str | None = None,
    position: int = 0,
    css_class: str = "",
) -> SafeString:
    """<picture> with AVIF/WebP <source>s and a JPEG/PNG <img> carrying width, height, srcset,
    sizes and loading; empty when there is no image or its file cannot be read.

    With a task worker, only renditions that exist are drawn (see existing_renditions and the
    module docstring); without one (BYLINE_TASKS_IMMEDIATE, tests) there is no background to
    make them in, and the first page to show an image makes them."""
    if image is None:
        return mark_safe("")
    from byline.images.tasks import renditions_in_background

    preset = PRESETS[preset_name]
    attrs = {
        "alt": image_alt(image) if alt is None else alt,
        "sizes": preset.sizes,
        "loading": image_loading(position, preset_name),
        "decoding": "async",
    }
    if css_class:
        attrs["class"] = css_class
    try:
        if renditions_in_background():
            return _existing_html(image, preset_name, attrs)
        renditions = image.get_renditions(*specs_for(image, preset_name))
    except Exception:  # noqa: BLE001
        # A missing or undecodable original (uploaded before validation, or damaged on disk)
        # must cost readers the picture, not the page.
        logger.exception("Cannot render image %s in preset %s", image.pk, preset_name)
        return mark_safe("")
    return format_html("{}", Picture(renditions, attrs).__html__())
