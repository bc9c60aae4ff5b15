"""Saving a draft and publishing a post in the admin cost the same queries on a site of a few
posts as on one of many: nothing in the editor's request scans a blog's posts or runs a query
per post (issue #14). Purges, search indexing and the reference index are queued for the task
worker, as `byline serve` runs them, so the count is the request's own.

Transactional: the queue is the database one, and the page store's purges run on commit."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from byline.blogs.models import BlogPage, PostPage, PostPageAuthor
from byline.demo.synthetic import add_synthetic_posts
from byline.images.tests.test_background import DATABASE_TASKS
from tests.factories import build_site_tree

pytestmark = pytest.mark.django_db(transaction=True)

# Today's counts are 59 and 125 (a Wagtail upgrade may move them a little); a query per post
# would pass either at once on the larger site.
SAVE_DRAFT_QUERIES = 70
PUBLISH_QUERIES = 135


@pytest.fixture
def editor(client, settings):
    settings.TASKS = DATABASE_TASKS
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def edit_form(post: PostPage, number: int) -> dict:
    """The edit form as the editor posts it: the post's own credits (by id), a new body."""
    credits = [
        {"id": row.pk, "author": row.author_id}
        for row in PostPageAuthor.objects.filter(post=post).order_by("sort_order")
    ]
    return nested_form_data(
        {
            "title": post.title,
            "slug": post.slug,
            "date": timezone.localtime(post.date).strftime("%Y-%m-%d %H:%M"),
            "excerpt": "An excerpt.",
            "body": streamfield([("paragraph", rich_text(f"<p>Version {number}.</p>"))]),
            "post_authors": inline_formset(credits, initial=len(credits)),
            "tags": "Azure, Partners",
            "pinned_related": inline_formset([]),
            "comments_open": "on",
            "go_live_at": "",
            "expire_at": "",
        }
    )


def queries_of(editor, post: PostPage, number: int, *, publish: bool) -> int:
    form = edit_form(post, number)
    if publish:
        form["action-publish"] = "publish"
    with CaptureQueriesContext(connection) as captured:
        response = editor.post(f"/admin/pages/{post.pk}/edit/", form)
    assert response.status_code == 302, response.content[:500]
    return len(captured.captured_queries)


def test_save_and_publish_do_not_grow_with_the_posts(editor, django_assert_max_num_queries):
    build_site_tree()
    add_synthetic_posts(8)
    blog = BlogPage.objects.get(slug="channel-strategy")
    post = PostPage.objects.child_of(blog).order_by("date").first()
    # The first save makes the tags, the first publish the post's newsletter issue.
    queries_of(editor, post, 1, publish=False)
    queries_of(editor, post, 2, publish=True)
    few = (
        queries_of(editor, post, 3, publish=False),
        queries_of(editor, post, 4, publish=True),
    )

    add_synthetic_posts(120)  # posts on both sides of it, sharing its tags
    assert PostPage.objects.child_of(blog).count() > 30
    assert PostPage.objects.child_of(blog).filter(date__gt=post.date).count() > 10
    post.refresh_from_db()
    with django_assert_max_num_queries(SAVE_DRAFT_QUERIES):
        draft = queries_of(editor, post, 5, publish=False)
    with django_assert_max_num_queries(PUBLISH_QUERIES):
        published = queries_of(editor, post, 6, publish=True)
    assert (draft, published) == few
    post.refresh_from_db()
    assert post.live and "Version 6." in str(post.body)
