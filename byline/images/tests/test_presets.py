"""The presets: the specs an image needs are among those prefetched, prefetched renditions
cost no query, and a crop keeps the focal point."""

import io

import pytest
from PIL import Image as PILImage
from wagtail.images import get_image_model

from byline.images.presets import PRESETS, all_specs, picture_html, rendition_prefetch, specs_for


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize("avif", [False, True])
def test_every_spec_an_image_needs_is_prefetched(make_image, settings, preset, fmt, avif):
    """all_specs() is what listings prefetch; a spec outside it would cost a query per image."""
    settings.BYLINE_IMAGES_AVIF = avif
    for width, height in [(1200, 675), (700, 400), (100, 100)]:
        needed = specs_for(make_image(width, height, fmt=fmt), preset)
        assert needed and set(needed) <= set(all_specs(preset))


@pytest.mark.django_db
def test_prefetched_renditions_are_drawn_without_a_query(make_image, django_assert_num_queries):
    picture_html(make_image(), "card")  # makes the renditions
    get_image_model().get_rendition_model().cache_backend.clear()  # Wagtail's rendition cache
    (image,) = get_image_model().objects.prefetch_related(rendition_prefetch("renditions", "card"))
    with django_assert_num_queries(0):
        assert "<picture>" in picture_html(image, "card")


def test_focal_point_is_kept_in_the_crop(make_image):
    """A 1600×600 image with the subject at its right edge: a 16:9 crop (1067 wide) must keep
    the right-hand side, not the centre."""
    original = PILImage.new("RGB", (1600, 600), "white")
    original.paste((255, 0, 0), (1450, 250, 1550, 350))
    buffer = io.BytesIO()
    original.save(buffer, "PNG")
    image = make_image(fmt="PNG", data=buffer.getvalue(), focal=(1500, 300, 100, 100))
    rendition = image.get_rendition("fill-320x180|format-png")
    with rendition.file.open("rb") as f:
        cropped = PILImage.open(f).convert("RGB")
    # The subject (x 1450-1550 of 1600) lands near the crop's right edge.
    assert cropped.getpixel((290, 90))[0] > 200 and cropped.getpixel((290, 90))[1] < 80
