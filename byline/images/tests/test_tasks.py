"""warm_renditions makes, ahead of readers, every rendition the presets need."""

import pytest

from byline.images.presets import specs_for
from byline.images.tasks import warm_renditions


@pytest.mark.django_db
def test_warming_makes_exactly_the_renditions_the_presets_need(make_image):
    image = make_image()
    assert warm_renditions.call(image_ids=[image.pk], preset_names=["card", "thumb"]) == 1
    made = set(image.renditions.values_list("filter_spec", flat=True))
    assert made == set(specs_for(image, "card") + specs_for(image, "thumb"))


@pytest.mark.django_db
def test_an_unreadable_original_is_skipped_and_the_others_are_made(make_image):
    damaged, good = make_image(), make_image()
    with damaged.file.open("wb") as f:
        f.write(b"\xff\xd8\xff\xe0 not the rest of a JPEG")
    assert warm_renditions.call(image_ids=[damaged.pk, good.pk], preset_names=["card"]) == 1
    assert not damaged.renditions.exists()
    assert set(good.renditions.values_list("filter_spec", flat=True)) == set(
        specs_for(good, "card")
    )
