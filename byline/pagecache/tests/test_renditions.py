"""A page showing an image whose renditions the worker has not made yet is served with the
original, and purged from the store once they are made; no reader's request makes one."""

import pytest
from wagtail.images import get_image_model

from byline.images import presets
from byline.images.tests.factories import make_image
from byline.images.tests.test_background import DATABASE_TASKS, queued_image_ids, run_worker
from tests.factories import make_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_queue(settings, reader, tree):
    settings.TASKS = DATABASE_TASKS
    settings.BYLINE_IMAGES_AVIF = False
    presets._asked.clear()
    # The first page ever served makes the publication's settings row, which purges.
    reader.get("/")
    yield
    presets._asked.clear()


def rendition_count() -> int:
    return get_image_model().get_rendition_model().objects.count()


def test_a_page_shows_the_original_until_the_worker_makes_renditions(reader, tree, worker_queue):
    image = make_image(2000, 1000, description="A chart of partner revenue")
    post = make_post(tree.blog, title="Pictured", slug="pictured")
    post.lead_image = image
    post.save_revision().publish()
    assert queued_image_ids() == [[image.pk]]

    first = reader.get(post.url)
    assert first.state == "miss"
    assert f'src="{image.file.url}"' in first.text and ".webp" not in first.text
    assert rendition_count() == 0  # the request made none
    assert reader.get(post.url).state == "hit"

    run_worker()
    assert rendition_count() > 0
    again = reader.get(post.url)
    assert again.state == "miss", "the page was not purged when the renditions were ready"
    assert ".webp 1600w" in again.text and f'src="{image.file.url}"' not in again.text
    assert reader.get(post.url).state == "hit"


def test_renditions_ready_leaves_pages_without_the_image_stored(reader, tree, worker_queue):
    plain = make_post(tree.blog, title="Plain", slug="plain")
    run_worker()  # the publish's purge of the pages around the post (issue #14)
    image = make_image()
    assert reader.get(plain.url).state == "miss"
    assert reader.get(plain.url).state == "hit"
    assert queued_image_ids() == [[image.pk]]
    run_worker()
    assert reader.get(plain.url).state == "hit"
