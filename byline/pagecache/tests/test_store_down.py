"""A page store that does not answer costs storing, never the reader's page."""

import pytest

from byline.pagecache import keys, store
from byline.pagecache.tests.conftest import StoreClient
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_store(settings, keep_connection):
    """A Redis store at a port where nothing listens: every call is refused at once."""
    settings.BYLINE_PAGECACHE = True
    settings.BYLINE_PAGECACHE_REDIS_URL = "redis://127.0.0.1:1/0"
    keys.reset_config()
    store._stores.clear()
    store.forget_stores()
    yield
    store._stores.clear()
    store.forget_stores()
    keys.reset_config()


def test_readers_get_their_pages_while_the_store_is_down(tree, unreachable_store):
    post = make_post(tree.blog, title="Still readable")
    reader = StoreClient()
    for path in ("/", post.url, "/feed/"):
        answer = reader.get(path)
        assert answer.status == 200, path
        assert answer.state != "hit"
    assert "Still readable" in reader.get(post.url).text
