"""Readers' comments on posts: the data, its states and the rules that hold whatever the caller."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from byline.comments.text import render_body


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    REMOVED = "removed", "Removed"


class ReaderCommentQuerySet(models.QuerySet):
    def approved(self) -> ReaderCommentQuerySet:
        return self.filter(status=CommentStatus.APPROVED)

    def in_moderation(self) -> ReaderCommentQuerySet:
        return self.filter(status=CommentStatus.PENDING)

    def spam(self) -> ReaderCommentQuerySet:
        return self.filter(status=CommentStatus.SPAM)

    def by_email(self, email: str) -> ReaderCommentQuerySet:
        return self.filter(email=normalize_email(email))


def normalize_email(email: str) -> str:
    # Lower case throughout: matching "first-time commenter", exports and erasure by address
    # must not depend on how a reader capitalised it this time.
    return (email or "").strip().lower()


class ReaderComment(models.Model):
    """A reader's comment on a post (Wagtail's own `Comment` is the editors' review note)."""

    post = models.ForeignKey(
        "blogs.PostPage", on_delete=models.CASCADE, related_name="reader_comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # 0 for a comment on the post, 1 for a reply to it, and so on up to the depth cap.
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    name = models.CharField(max_length=100)
    email = models.EmailField(help_text="Never shown to readers.")
    website = models.URLField(max_length=300, blank=True)
    body = models.TextField(help_text="As the reader wrote it: plain text.")
    body_html = models.TextField(editable=False, help_text="The body as shown: escaped, linked.")
    status = models.CharField(
        max_length=8, choices=CommentStatus.choices, default=CommentStatus.PENDING, db_index=True
    )
    # Why the spam checks held or refused it, for the moderator.
    moderation_note = models.CharField(max_length=255, blank=True, editable=False)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    notify_replies = models.BooleanField(
        default=False, help_text="E-mail the commenter when someone replies."
    )
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ReaderCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = "reader comment"
        indexes = [
            models.Index(fields=["post", "status", "created"], name="comments_post_status_idx"),
            models.Index(fields=["email"], name="comments_email_idx"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The status as loaded, so a save can tell an approval from an edit (signal_handlers).
        self._loaded_status = self.__dict__.get("status") if self.pk else None

    def __str__(self) -> str:
        return f"{self.name}: {self.body[:60]}"

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        self.body_html = render_body(self.body)
        if self._state.adding and self.parent is not None:
            self.depth = self.parent.depth + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "email", "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.post.url}#{self.anchor}"

    @property
    def body_excerpt(self) -> str:
        return self.body if len(self.body) <= 80 else self.body[:79] + "…"

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


def approved_comment_count() -> models.expressions.Combinable:
    """An annotation for post querysets: how many approved comments each post has, as one
    subquery (no GROUP BY over Wagtail's page columns, no query per post)."""
    counts = (
        ReaderComment.objects.approved()
        .filter(post=models.OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return models.functions.Coalesce(models.Subquery(counts), 0)
