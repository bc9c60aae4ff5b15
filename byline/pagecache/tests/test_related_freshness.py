"""The lists under each post ("More from <blog>", "Related") stay fresh in the page store.

As in test_freshness.py: warm the post pages (each a hit), make the change as editors make
it, let the transaction commit, and read the pages again through the store."""

import datetime

import pytest

from byline.blogs.models import BlogPage
from byline.blogs.related import MORE_COUNT
from tests.factories import make_post, publish

pytestmark = pytest.mark.django_db


def at(day: int) -> datetime.datetime:
    return datetime.datetime(2011, 7, 1, 12, tzinfo=datetime.UTC) + datetime.timedelta(days=day)


def warm(reader, *paths):
    for path in paths:
        reader.get(path)
        assert reader.get(path).state == "hit", path


@pytest.fixture
def other_blog(tree):
    return publish(tree.blogs, BlogPage(title="Redmond Report", slug="redmond-report"))


def test_a_post_published_into_the_column_reaches_every_list_that_names_it(
    reader, tree, django_capture_on_commit_callbacks
):
    """A post dated between older ones lands in the "More from" list of the MORE_COUNT posts
    after it: each of their pages is purged and names it; the page of the post after those,
    whose list stops before it, stays stored."""
    posts = [make_post(tree.blog, title=f"Column {day}", date=at(2 * day)) for day in range(8)]
    warm(reader, *(post.url for post in posts))
    with django_capture_on_commit_callbacks(execute=True):
        late = make_post(tree.blog, title="Backdated column", date=at(3))
    after = posts[2 : 2 + MORE_COUNT]
    for post in after:
        answer = reader.get(post.url)
        assert answer.state != "hit", post.title
        assert late.url in answer.text, post.title
    beyond = posts[2 + MORE_COUNT]
    assert reader.get(beyond.url).state == "hit"
    assert late.url not in reader.get(beyond.url).text


def test_a_post_published_with_a_shared_tag_reaches_the_related_lists(
    reader, tree, other_blog, django_capture_on_commit_callbacks
):
    """A post of another column sharing a tag is the newest related candidate: the pages of
    the posts carrying that tag are purged and list it; a post without the tag stays stored."""
    tagged = make_post(tree.blog, title="Tagged", date=at(1), tags=["azure"])
    untagged = make_post(tree.blog, title="Untagged", date=at(2), tags=["linux"])
    warm(reader, tagged.url, untagged.url)
    with django_capture_on_commit_callbacks(execute=True):
        new = make_post(other_blog, title="Azure news", date=at(5), tags=["azure"])
    answer = reader.get(tagged.url)
    assert answer.state != "hit"
    assert new.url in answer.text
    assert reader.get(untagged.url).state == "hit"


def test_retitling_a_related_post_reaches_the_pages_that_show_it(
    reader, tree, other_blog, django_capture_on_commit_callbacks
):
    """Each post page depends on every post it loaded, its related ones included."""
    shown = make_post(other_blog, title="Azure pricing", date=at(1), tags=["azure"])
    post = make_post(tree.blog, title="This", date=at(5), tags=["azure"])
    warm(reader, post.url)
    assert "Azure pricing" in reader.get(post.url).text
    with django_capture_on_commit_callbacks(execute=True):
        shown.title = "Azure pricing, revised"
        shown.save_revision().publish()
    answer = reader.get(post.url)
    assert answer.state != "hit"
    assert "Azure pricing, revised" in answer.text


def test_unpublishing_a_column_post_removes_it_from_the_lists(
    reader, tree, django_capture_on_commit_callbacks
):
    older = make_post(tree.blog, title="Older column", date=at(1), tags=["azure"])
    post = make_post(tree.blog, title="This", date=at(5), tags=["azure"])
    warm(reader, post.url)
    with django_capture_on_commit_callbacks(execute=True):
        older.unpublish()
    answer = reader.get(post.url)
    assert answer.state != "hit"
    assert "Older column" not in answer.text
