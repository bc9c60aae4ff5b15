"""Who waits for a moderator, and when a post stops taking comments.

The policy is one object, chosen per blog (``BlogPage.comment_moderation``) with the site default
from ``BYLINE_COMMENTS_MODERATION`` (which also governs pages not under a blog: blog None)::

    policy = ModerationPolicy.for_blog(blog)
    status = policy.initial_status(name="Ann", email="ann@example.com")   # APPROVED or PENDING

- ``all``: every comment waits.
- ``first``: a commenter waits until one of their comments has been approved (the default).
  One of theirs is one with the same name and the same address, as WordPress checks: the
  address alone is nobody's secret, and anyone who knew a regular's could publish at once
  under any name.
- ``none``: comments appear at once; the spam checks still hold or refuse what they catch.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from byline.blogs.models import CommentModeration
from byline.comments.models import CommentStatus, ReaderComment


@dataclass(frozen=True)
class ModerationPolicy:
    name: CommentModeration

    @classmethod
    def for_blog(cls, blog) -> ModerationPolicy:
        name = getattr(blog, "comment_moderation", "") or settings.BYLINE_COMMENTS_MODERATION
        if name not in CommentModeration.values or name == CommentModeration.SITE_DEFAULT:
            name = CommentModeration.FIRST
        return cls(CommentModeration(name))

    def initial_status(self, *, name: str, email: str) -> CommentStatus:
        if self.name == CommentModeration.NONE:
            return CommentStatus.APPROVED
        if (
            self.name == CommentModeration.FIRST
            and ReaderComment.objects.approved()
            .by_email(email)
            .filter(name__iexact=" ".join(name.split()))
            .exists()
        ):
            return CommentStatus.APPROVED
        return CommentStatus.PENDING


def comments_closed(post, blog, *, now: datetime.datetime | None = None) -> bool:
    """Closed by the editor on the page, or by the blog's "close after N days" from the post's
    date. A page not under a blog (blog None) has no such limit."""
    if not getattr(post, "comments_open", False):
        return True
    days = getattr(blog, "close_comments_after_days", None)
    date = getattr(post, "date", None)
    if days is not None and date is not None:
        return (now or timezone.now()) >= date + datetime.timedelta(days=days)
    return False
