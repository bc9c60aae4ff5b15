"""No stale page after any kind of change, against each kind of store.

Every test warms the pages a change must reach (each is a hit before the change), makes the
change the way editors, readers or the scheduler make it, lets the transaction commit, and
reads the pages again through the store-serving layer.
"""

import datetime
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from byline.blogs.models import PostPage
from byline.comments.models import CommentStatus, ReaderComment
from byline.core.signals import site_changed
from byline.featured.models import FeaturedItem, FeaturedList
from tests.factories import AuthorFactory, make_post

pytestmark = pytest.mark.django_db

LISTINGS = [
    "/",
    "/blogs/bekkers-blog/",
    "/blogs/bekkers-blog/archive/",
    "/blogs/bekkers-blog/2011/",
    "/authors/scott-bekker/",
    "/tags/microsoft/",
    "/feed/",
    "/blogs/bekkers-blog/atom/",
    "/authors/scott-bekker/feed.json",
    "/tags/microsoft/feed/",
    "/sitemap.xml",
    "/sitemap-all.xml",
]
# The archive lists months and counts, not titles; the sitemaps list addresses.
UNTITLED = ("/blogs/bekkers-blog/archive/", "/sitemap.xml", "/sitemap-all.xml")
TITLED = [path for path in LISTINGS if path not in UNTITLED]


@pytest.fixture
def post(tree):
    return make_post(
        tree.blog,
        title="Why partners like Steve Ballmer",
        slug="ballmer",
        authors=[tree.author],
        tags=["microsoft"],
    )


def warm(reader, *paths):
    for path in paths:
        reader.get(path)
        assert reader.get(path).state == "hit", path


def fresh(reader, path):
    answer = reader.get(path)
    assert answer.state != "hit", f"{path} was served from the store after the change"
    return answer


def test_editing_a_post_reaches_its_page_and_every_listing(
    reader, post, django_capture_on_commit_callbacks
):
    warm(reader, post.url, *LISTINGS)
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Why partners still like Steve Ballmer"
        post.save_revision().publish()
    for path in (post.url, *LISTINGS):
        answer = fresh(reader, path)
        assert path not in TITLED or "still like" in answer.text, path


def test_publishing_a_post_reaches_listings_and_the_post_before_it(
    reader, tree, post, django_capture_on_commit_callbacks
):
    warm(reader, post.url, *LISTINGS)
    with django_capture_on_commit_callbacks(execute=True):
        newer = make_post(
            tree.blog,
            title="Ballmer goes",
            date=post.date + datetime.timedelta(days=1),
            authors=[tree.author],
            tags=["microsoft"],
        )
    for path in LISTINGS:
        answer = fresh(reader, path)
        assert path not in TITLED or "Ballmer goes" in answer.text, path
    assert newer.url in reader.get("/sitemap-all.xml").text
    # The older post's "next" link now names the new one.
    assert newer.url in fresh(reader, post.url).text


def test_unpublishing_a_post_removes_it_everywhere(
    reader, post, django_capture_on_commit_callbacks
):
    warm(reader, post.url, *LISTINGS)
    with django_capture_on_commit_callbacks(execute=True):
        post.unpublish()
    assert reader.get(post.url).status == 404
    for path in LISTINGS:
        answer = reader.get(path)
        assert answer.state != "hit", path
        assert "Why partners like" not in answer.text, path


def test_deleting_a_post_removes_it_everywhere(reader, post, django_capture_on_commit_callbacks):
    url = post.url
    warm(reader, url, "/", "/blogs/bekkers-blog/", "/tags/microsoft/")
    with django_capture_on_commit_callbacks(execute=True):
        PostPage.objects.get(pk=post.pk).delete()
    assert reader.get(url).status == 404
    for path in ("/", "/blogs/bekkers-blog/"):
        assert "Why partners like" not in fresh(reader, path).text


def test_a_scheduled_post_appears_when_the_scheduler_publishes_it(
    reader, tree, post, django_capture_on_commit_callbacks
):
    warm(reader, *LISTINGS)
    due = make_post(tree.blog, title="Scheduled piece", authors=[tree.author], live=False)
    revision = due.latest_revision
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(seconds=1)
    revision.save()
    assert reader.get("/").state == "hit"  # saving a draft changes nothing readers see
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled", verbosity=0)
    for path in ("/", "/blogs/bekkers-blog/", "/authors/scott-bekker/", "/feed/"):
        assert "Scheduled piece" in fresh(reader, path).text, path


def test_taking_a_tag_off_a_post_reaches_that_tag_page(
    reader, post, django_capture_on_commit_callbacks
):
    warm(reader, "/tags/microsoft/", "/tags/microsoft/feed/")
    with django_capture_on_commit_callbacks(execute=True):
        post.tags.set(["cloud"])
        post.save_revision().publish()
    for path in ("/tags/microsoft/", "/tags/microsoft/feed/"):
        answer = reader.get(path)
        assert answer.state != "hit" and "Why partners like" not in answer.text


def _comment(post, status):
    return ReaderComment.objects.create(
        post=post,
        name="Reader",
        email="reader@example.com",
        body="Great piece",
        body_html="<p>Great piece</p>",
        status=status,
    )


def test_approving_and_removing_a_comment_reach_the_post_and_its_counts(
    reader, post, django_capture_on_commit_callbacks
):
    comment = _comment(post, CommentStatus.PENDING)
    warm(reader, post.url, "/blogs/bekkers-blog/")
    with django_capture_on_commit_callbacks(execute=True):
        comment.status = CommentStatus.APPROVED
        comment.save()
    assert "Great piece" in fresh(reader, post.url).text
    assert "1 comment" in fresh(reader, "/blogs/bekkers-blog/").text
    warm(reader, post.url, "/blogs/bekkers-blog/")
    with django_capture_on_commit_callbacks(execute=True):
        comment.status = CommentStatus.REMOVED
        comment.save()
    assert "Great piece" not in fresh(reader, post.url).text
    assert "1 comment" not in fresh(reader, "/blogs/bekkers-blog/").text


def test_a_pending_comment_purges_nothing(reader, post, django_capture_on_commit_callbacks):
    warm(reader, post.url)
    with django_capture_on_commit_callbacks(execute=True):
        _comment(post, CommentStatus.PENDING)
    assert reader.get(post.url).state == "hit"


def test_editing_a_featured_list_reaches_the_pages_that_show_it(
    reader, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        featured = FeaturedList(name="Front")
        featured.items.add(FeaturedItem(title="First feature", url="https://example.com/a"))
        featured.save()
    warm(reader, "/", post.url)
    with django_capture_on_commit_callbacks(execute=True):
        item = featured.items.get()
        item.title = "Second feature"
        item.save()
    for path in ("/", post.url):
        assert "Second feature" in fresh(reader, path).text, path


def test_a_featured_window_opening_expires_the_pages_at_that_moment(reader, post, page_store):
    opens = timezone.now() + datetime.timedelta(seconds=1)
    featured = FeaturedList(name="Front")
    featured.items.add(
        FeaturedItem(title="Timed feature", url="https://example.com/t", show_from=opens)
    )
    featured.save()
    first = reader.get("/")
    assert "Timed feature" not in first.text
    assert reader.get("/").state == "hit"
    # The CDN may keep it no longer than the window either.
    assert (
        "max-age=0" in first.headers["cache-control"]
        or "max-age=1" in first.headers["cache-control"]
    )
    time.sleep(max(0.0, opens.timestamp() - time.time()) + 0.05)
    assert "Timed feature" in fresh(reader, "/").text
    # A page with no Featured list is not expired by the window.
    assert reader.get("/authors/scott-bekker/").state == "miss"
    assert reader.get("/authors/scott-bekker/").state == "hit"


def test_editing_an_author_reaches_bylines_and_the_author_page(
    reader, post, tree, django_capture_on_commit_callbacks
):
    warm(reader, post.url, "/authors/scott-bekker/", "/blogs/bekkers-blog/")
    with django_capture_on_commit_callbacks(execute=True):
        tree.author.name = "Scott M. Bekker"
        tree.author.save()
    for path in (post.url, "/authors/scott-bekker/", "/blogs/bekkers-blog/"):
        assert "Scott M. Bekker" in fresh(reader, path).text, path


def test_an_unrelated_change_purges_nothing_else(
    reader, post, tree, django_capture_on_commit_callbacks
):
    other = AuthorFactory(name="Someone Else", slug="someone-else")
    warm(reader, post.url, "/", "/tags/microsoft/")
    with django_capture_on_commit_callbacks(execute=True):
        other.name = "Someone Else Again"
        other.save()
    for path in (post.url, "/", "/tags/microsoft/"):
        assert reader.get(path).state == "hit", path


def test_an_import_purges_every_page(reader, post, django_capture_on_commit_callbacks):
    warm(reader, post.url, *LISTINGS)
    with django_capture_on_commit_callbacks(execute=True):
        site_changed.send(sender=None, reason="import")
    for path in (post.url, *LISTINGS):
        fresh(reader, path)


def test_a_render_racing_a_purge_is_not_stored(reader, post, page_store):
    """A page rendered from rows read before a change, stored after its purge, would stay
    stale: the generation check refuses it."""
    from byline.pagecache.keys import page_key
    from byline.pagecache.store import Entry

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": post.url,
        "QUERY_STRING": "",
        "HTTP_HOST": "localhost",
    }
    key = page_key(environ).key
    before = page_store.generation()
    page_store.purge({f"post:{post.pk}"})
    entry = Entry(200, [], {"identity": b"old"}, "e", 0.0, time.time() + 60, deps=["x"])
    assert page_store.put(key, entry, generation=before) is False
    assert page_store.get(key) is None
