"""Background re-indexing of posts, off the editor's request."""

from django_tasks import task
from wagtail.search import index

from byline.blogs.models import PostPage


@task()
def reindex_post(post_id: int) -> None:
    post = PostPage.objects.filter(pk=post_id).first()
    if post is not None:
        index.insert_or_update_object(post)


@task()
def reindex_author_posts(author_id: int) -> None:
    for post in PostPage.objects.filter(post_authors__author_id=author_id).iterator():
        index.insert_or_update_object(post)
