"""Fixtures for the featured app: a small site, drawn images and featured lists."""

import datetime
import itertools

import pytest

from byline.featured.models import FeaturedItem, FeaturedList
from byline.images.tests import factories
from tests.factories import build_site_tree, make_post

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def no_avif_by_default(settings):
    # AVIF encoding costs ~10x WebP's CPU; tests that check AVIF markup turn it on.
    settings.BYLINE_IMAGES_AVIF = False


@pytest.fixture
def tree(db):
    return build_site_tree()


@pytest.fixture
def make_image(db):
    """An image saved the way Wagtail's upload form saves one (images.tests.factories)."""
    return factories.make_image


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def make_list(db):
    """A featured list (site-wide unless blog=) with items given as dicts of field values."""

    def make(*items, blog=None, name=None):
        featured = FeaturedList(name=name or f"List {next(_numbers)}", blog=blog)
        for position, fields in enumerate(items):
            featured.items.add(FeaturedItem(sort_order=position, **fields))
        featured.save()
        return featured

    return make


@pytest.fixture
def story(tree, make_image):
    """A published post with an excerpt and a described lead image."""
    post = make_post(
        tree.blog,
        title="A story",
        slug="a-story",
        excerpt="The story's excerpt.",
        date=at(2025, 6, 2),
    )
    post.lead_image = make_image(description="A chart of partner revenue")
    post.save_revision().publish()
    post.refresh_from_db()
    return post
