"""A dated note on a published post: a correction, a clarification or an update."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel

from byline.blogs.extensions import PostAmendment
from byline.blogs.models import PostPage
from byline.core import frame


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    CLARIFICATION = "clarification", "Clarification"
    UPDATE = "update", "Update"


# Shown above the body: a reader must know before reading that something in it was wrong or
# unclear. An update adds to the story, so it follows it.
ABOVE_THE_BODY = {CorrectionKind.CORRECTION, CorrectionKind.CLARIFICATION}
# What schema.org calls a correction (CorrectionComment); an update only changes dateModified.
SCHEMA_CORRECTIONS = ABOVE_THE_BODY


class CorrectionQuerySet(models.QuerySet):
    def published(self) -> CorrectionQuerySet:
        """Notes on posts readers may see (blogs' "published and public"), newest first."""
        return self.filter(post__in=PostPage.objects.published().values("pk"))


class Correction(models.Model):
    post = models.ForeignKey(PostPage, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(
        max_length=16, choices=CorrectionKind.choices, default=CorrectionKind.CORRECTION
    )
    published_at = models.DateTimeField(
        "date", default=timezone.now, help_text="When the note was made; shown with it."
    )
    # Plain text, escaped wherever it is shown: no editor's markup, pasted or hostile, ever
    # reaches a page, a feed or the JSON-LD as markup.
    text = models.TextField(
        max_length=2000,
        help_text="What was wrong and what is right, e.g. “An earlier version of this post "
        "gave the wrong date for the launch.” Plain text.",
    )

    objects = CorrectionQuerySet.as_manager()

    panels = [
        FieldPanel("post"),
        FieldPanel("kind"),
        FieldPanel("published_at"),
        FieldPanel("text"),
    ]

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["post", "-published_at"], name="corrections_post_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to “{self.post.title}”, {self.published_at:%Y-%m-%d}"

    @property
    def above_the_body(self) -> bool:
        return self.kind in ABOVE_THE_BODY

    def clean(self) -> None:
        super().clean()
        if self.post_id is None:
            return
        post = PostPage.objects.filter(pk=self.post_id).first()
        if post is None or not post.live or post.date is None:
            title = post.title if post else "That post"
            raise ValidationError(
                {
                    "post": f"“{title}” is not published: correct the draft itself, and add "
                    "a note once readers have seen it."
                }
            )


def _noted_posts() -> frozenset[int]:
    return frozenset(Correction.objects.values_list("post_id", flat=True).distinct())


def post_amendments(post_ids) -> list[PostAmendment]:
    """Every note on the posts `post_ids`, for feeds and JSON-LD (blogs.extensions). Which
    posts have notes is read once per content version (a note's change starts a new one:
    apps.py), so the many posts without one cost no query."""
    noted = frame.remembered(None, ("noted-posts",), _noted_posts)
    post_ids = [post_id for post_id in post_ids if post_id in noted]
    if not post_ids:
        return []
    return [
        PostAmendment(
            post_id=note.post_id,
            published_at=note.published_at,
            text=note.text,
            is_correction=note.kind in SCHEMA_CORRECTIONS,
            note=note,
        )
        for note in Correction.objects.filter(post_id__in=post_ids)
    ]
