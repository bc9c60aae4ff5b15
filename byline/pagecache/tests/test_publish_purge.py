"""Publishing a post purges its own page at once and the pages around it (its blog's
listings, the home page, feeds, neighbours, the posts sharing its tags) in the background, off
the editor's request (issue #14); taking a post off the site still purges everything at once.

The task queue is the database one `byline serve` uses, and the worker is its own
(`db_worker --batch`), so these tests commit as they go (transactional)."""

import pytest

from byline.images.tests.test_background import run_worker
from tests.factories import make_post

pytestmark = pytest.mark.django_db(transaction=True)


def queued(name: str) -> int:
    from django_tasks_db.models import DBTaskResult

    return sum(1 for row in DBTaskResult.objects.ready() if row.task_path.endswith(name))


def warm(reader, *paths):
    for path in paths:
        reader.get(path)
        assert reader.get(path).state == "hit", path


def test_a_publish_purges_the_post_at_once_and_the_pages_around_it_in_the_background(
    reader, tree, worker_queue
):
    older = make_post(tree.blog, title="Older", slug="older", tags=["Azure"])
    post = make_post(tree.blog, title="The post", slug="the-post", tags=["Azure"])
    run_worker()
    warm(reader, post.url, older.url, "/blogs/bekkers-blog/", "/")

    revision = post.save_revision()
    post.title = "The post, edited"
    revision = post.save_revision()
    revision.publish()

    assert reader.get(post.url).state == "miss"  # its own page: at once
    for path in (older.url, "/blogs/bekkers-blog/", "/"):
        assert reader.get(path).state == "hit", path
    assert queued("purge_post_pages") == 1

    run_worker()
    for path in (older.url, "/blogs/bekkers-blog/", "/"):
        answer = reader.get(path)
        assert answer.state == "miss", path
    assert "The post, edited" in reader.get("/blogs/bekkers-blog/").text


def test_unpublishing_still_purges_every_page_showing_the_post_at_once(reader, tree, worker_queue):
    older = make_post(tree.blog, title="Older", slug="older", tags=["Azure"])
    post = make_post(tree.blog, title="Soon gone", slug="soon-gone", tags=["Azure"])
    run_worker()
    warm(reader, post.url, older.url, "/blogs/bekkers-blog/", "/")

    post.unpublish()

    assert reader.get(post.url).status == 404
    for path in ("/blogs/bekkers-blog/", "/", older.url):
        answer = reader.get(path)
        assert answer.state == "miss", path
        assert "Soon gone" not in answer.text, path
    assert queued("purge_post_pages") == 0


def test_scheduling_a_live_post_purges_nothing(reader, tree, worker_queue):
    import datetime

    from django.utils import timezone

    post = make_post(tree.blog, title="Live now", slug="live-now")
    run_worker()
    warm(reader, post.url, "/blogs/bekkers-blog/")
    post.title = "Live later"
    post.go_live_at = timezone.now() + datetime.timedelta(days=2)
    post.save_revision().publish()

    for path in (post.url, "/blogs/bekkers-blog/"):
        answer = reader.get(path)
        assert answer.state == "hit" and "Live now" in answer.text, path
    assert queued("purge_post_pages") == 0
