"""Fixtures for the images app: drawn images, and AVIF off unless a test turns it on."""

import pytest

from byline.images.tests import factories


@pytest.fixture(autouse=True)
def no_avif_by_default(settings):
    # AVIF encoding costs ~10x WebP's CPU; tests that check AVIF markup turn it on.
    settings.BYLINE_IMAGES_AVIF = False


@pytest.fixture
def make_image(db):
    """An image saved the way Wagtail's upload form saves one (see factories.make_image)."""
    return factories.make_image
