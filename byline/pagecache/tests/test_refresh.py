"""A change that leaves stored pages correct in substance (a Featured list, an author's bio,
the publication's settings) re-renders them in the background, most-read first, while
readers keep getting the copy they had; a change that removes or hides something still
purges at once.

The task queue is the database one `byline serve` uses, and the worker is its own
(`db_worker --batch`), so these tests commit as they go (transactional)."""

import pytest

from byline.blogs.models import PostPage
from byline.featured.models import FeaturedItem, FeaturedList
from byline.images.tests.test_background import run_worker
from byline.pagecache import hits, refresh
from byline.pagecache.keys import bake_key
from tests.factories import make_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def post(tree):
    return make_post(tree.blog, title="Why partners like Steve Ballmer", slug="ballmer")


@pytest.fixture
def featured(tree):
    featured = FeaturedList(name="Front")
    featured.items.add(FeaturedItem(title="First feature", url="https://example.com/a"))
    featured.save()
    return featured


def queued_rerenders() -> int:
    from django_tasks_db.models import DBTaskResult

    return sum(
        1 for row in DBTaskResult.objects.ready() if row.task_path.endswith("rerender_pages")
    )


def warm(reader, *paths):
    for path in paths:
        reader.get(path)
        assert reader.get(path).state == "hit", path


def test_a_featured_change_serves_the_stored_pages_until_they_are_rendered_again(
    reader, post, featured, worker_queue
):
    warm(reader, "/", post.url)
    before = reader.get(post.url)
    item = featured.items.get()
    item.title = "Second feature"
    item.save()

    # Stale while revalidating: the copies readers had, no render in their requests.
    for path in ("/", post.url):
        answer = reader.get(path)
        assert answer.state == "hit" and "First feature" in answer.text, path
    assert queued_rerenders() == 1

    run_worker()
    for path in ("/", post.url):
        answer = reader.get(path)
        assert answer.state == "hit", f"{path} was not stored again by the worker"
        assert "Second feature" in answer.text and "First feature" not in answer.text, path
    assert reader.get(post.url).headers["etag"] != before.headers["etag"]


def test_a_post_taken_off_the_site_is_purged_at_once(reader, post, featured, worker_queue):
    warm(reader, "/", post.url, "/blogs/bekkers-blog/")
    post.unpublish()
    assert reader.get(post.url).status == 404
    for path in ("/", "/blogs/bekkers-blog/"):
        answer = reader.get(path)
        assert answer.state != "hit" and "Steve Ballmer" not in answer.text, path


def test_an_authors_bio_is_rendered_again_and_a_hidden_address_purges(
    reader, post, tree, worker_queue
):
    author_page = "/authors/scott-bekker/"
    warm(reader, author_page)
    tree.author.bio = "Covers Microsoft's partners."
    tree.author.save()
    assert reader.get(author_page).state == "hit"
    run_worker()
    answer = reader.get(author_page)
    assert answer.state == "hit" and "Covers Microsoft" in answer.text

    tree.author.email_is_public = not tree.author.email_is_public
    tree.author.save()
    assert reader.get(author_page).state != "hit"


def test_a_page_gone_by_the_time_it_is_rendered_again_is_removed(
    reader, post, featured, worker_queue
):
    warm(reader, post.url)
    # Taken off without its signals (as a failed purge would leave it): the re-render finds
    # it gone and must not keep serving the old copy.
    PostPage.objects.filter(pk=post.pk).update(live=False)
    item = featured.items.get()
    item.title = "Second feature"
    item.save()
    run_worker()
    assert reader.get(post.url).status == 404


def test_the_most_read_pages_are_rendered_again_first(reader, tree, worker_queue, page_store):
    posts = [make_post(tree.blog, title=f"Post {n}", slug=f"post-{n}") for n in range(3)]
    warm(reader, *(p.url for p in posts))
    hits.flush()
    reads = {posts[0].url: 2, posts[1].url: 9, posts[2].url: 5}
    for path, n in reads.items():
        for _ in range(n):
            assert reader.get(path).state == "hit"
    hits.flush()
    stale = refresh.stale_pages(page_store, tags=[], everything=True, since=2**40)
    order = [head.path for _key, head in stale if head.path in reads]
    assert order == [posts[1].url, posts[2].url, posts[0].url]
    key = bake_key(posts[1].url, host="localhost")
    assert page_store.hit_counts()[key] == 9 + 1  # the warm-up's second read was a hit


def test_with_refresh_off_a_featured_change_purges_as_before(
    reader, post, featured, worker_queue, settings
):
    settings.BYLINE_PAGECACHE_REFRESH = False
    warm(reader, "/", post.url)
    item = featured.items.get()
    item.title = "Second feature"
    item.save()
    assert queued_rerenders() == 0
    answer = reader.get(post.url)
    assert answer.state != "hit" and "Second feature" in answer.text
