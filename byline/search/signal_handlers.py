"""Keep the search index current where Wagtail's own save hook does not see a change."""

from django.db.models.signals import post_save
from wagtail.signals import page_published

from byline.blogs.models import Author, PostPage
from byline.search.tasks import reindex_author_posts, reindex_post


def post_published(sender, instance: PostPage, **kwargs) -> None:
    # Wagtail indexes a page from post_save, which modelcluster sends before it writes the
    # page's bylines and tags; publishing is over by page_published, so index again then.
    reindex_post.enqueue(instance.pk)


def author_saved(sender, instance: Author, created: bool, raw: bool = False, **kwargs) -> None:
    # A renamed author's posts must be found under the new name.
    if not created and not raw:
        reindex_author_posts.enqueue(instance.pk)


def register() -> None:
    page_published.connect(post_published, sender=PostPage, dispatch_uid="byline_search_published")
    post_save.connect(author_saved, sender=Author, dispatch_uid="byline_search_author_saved")
