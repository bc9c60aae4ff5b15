"""Template tags for the comment hooks on post pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from byline.comments.forms import CommentForm
from byline.comments.models import ReaderComment
from byline.comments.moderation import comments_closed

register = template.Library()


@dataclass
class ThreadNode:
    comment: ReaderComment
    replies: list[ThreadNode] = field(default_factory=list)


@dataclass
class Thread:
    roots: list[ThreadNode]
    count: int
    closed: bool
    form: CommentForm | None


def build_thread(comments: list[ReaderComment]) -> list[ThreadNode]:
    """Nest comments (oldest first) under their parents. A reply whose parent is not shown
    (removed, spam, erased) moves up to the top level rather than vanishing."""
    nodes = {comment.pk: ThreadNode(comment) for comment in comments}
    roots = []
    for comment in comments:
        parent = nodes.get(comment.parent_id)
        (parent.replies if parent is not None else roots).append(nodes[comment.pk])
    return roots


@register.simple_tag
def comment_thread(post, blog) -> Thread:
    """The approved comments of `post` as a tree, in one query however many there are."""
    comments = list(
        ReaderComment.objects.approved()
        .filter(post=post)
        .only(
            "pk",
            "post_id",
            "parent_id",
            "depth",
            "name",
            "website",
            "body_html",
            "created",
            "status",
        )
        .order_by("created", "pk")
    )
    closed = comments_closed(post, blog)
    return Thread(
        roots=build_thread(comments),
        count=len(comments),
        closed=closed,
        form=None if closed else CommentForm(post=post),
    )
