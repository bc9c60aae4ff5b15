"""App configuration: connects the comment signal handlers and adds comment counts to every
listing of posts."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CommentsConfig(AppConfig):
    name = "byline.comments"
    label = "comments"
    verbose_name = "Reader comments"

    def ready(self) -> None:
        from byline.blogs.extensions import add_listing_annotation
        from byline.comments.models import (
            ReaderComment,
            approved_comment_count,
            approved_comment_counts,
        )
        from byline.comments.signal_handlers import comment_deleted, comment_saved

        add_listing_annotation(
            "approved_comment_count", approved_comment_count, values_of=approved_comment_counts
        )

        post_save.connect(comment_saved, sender=ReaderComment, dispatch_uid="comments-saved")
        post_delete.connect(comment_deleted, sender=ReaderComment, dispatch_uid="comments-deleted")
