"""Template tags for the comment hooks on post pages (and standard pages that take comments)."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from django import template
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from byline.comments.anchors import old_anchors
from byline.comments.forms import CommentForm
from byline.comments.models import ReaderComment
from byline.comments.moderation import comments_closed
from byline.comments.pages import page_noun
from byline.core import frame
from byline.core.dates import machine_datetime
from byline.core.reversing import reverse
from byline.core.statements import Statement

if TYPE_CHECKING:
    from wagtail.models import Page

register = template.Library()

_UNITS = [
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
]


def relative_age(moment: datetime.datetime, now: datetime.datetime) -> str:
    """ "3 days ago", the way comments.js rewrites it later on a cached page."""
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in _UNITS:
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


@dataclass
class ThreadItem:
    """One comment in reading order, with what the flat template needs to nest it: whether a
    list of replies opens after it, and how many open lists close after it."""

    comment: ReaderComment
    reply_url: str
    iso: str
    exact: str
    age: str
    opens: bool = False
    closes: list[None] = field(default_factory=list)
    old_anchor: str = ""  # #comment-881 of an imported comment (comments.anchors)


@dataclass
class Thread:
    items: list[ThreadItem]
    count: int
    closed: bool
    # Approved pingbacks and trackbacks: listed apart, not counted as comments.
    mentions: list[ReaderComment] = field(default_factory=list)
    noun: str = "post"  # "Comments are closed for this post/page"
    # A post always shows its comments section (if only to say comments are closed); a
    # standard page only when it takes comments or has some to show.
    shown: bool = True


# English month names, as strftime's %B gives them in the C locale: %B and %M cost 13 us a
# comment, 13 ms of a page of 1,000.
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def exact_date(moment: datetime.datetime) -> str:
    """ "July 13, 2011 at 4:05 p.m.", as the date filter would, at a fraction of its cost per
    comment (a third of the render time of 1,000 comments went to the filter)."""
    hour = moment.hour % 12 or 12
    return (
        f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year} at {hour}:{moment.minute:02d} "
        + ("a.m." if moment.hour < 12 else "p.m.")
    )


def thread_order(comments: list[ReaderComment]) -> list[tuple[ReaderComment, int]]:
    """Comments (oldest first) in reading order, each with its nesting level. A reply whose
    parent is not shown (removed, spam, erased) moves up to the top level, not out of sight."""
    children: dict[int | None, list[ReaderComment]] = {}
    # .id rather than .pk throughout: pk is a property that looks the field up each time.
    shown = {comment.id for comment in comments}
    for comment in comments:
        parent = comment.parent_id if comment.parent_id in shown else None
        children.setdefault(parent, []).append(comment)
    ordered: list[tuple[ReaderComment, int]] = []
    stack = [(comment, 0) for comment in reversed(children.get(None, []))]
    while stack:  # iterative, so no thread is too deep for Python's recursion limit
        comment, level = stack.pop()
        ordered.append((comment, level))
        stack.extend((reply, level + 1) for reply in reversed(children.get(comment.id, [])))
    return ordered


# What a thread shows of a post's comments, oldest first (made into SQL once: statements).
APPROVED_COMMENTS = Statement(
    lambda post_id: (
        ReaderComment.objects.approved()
        .filter(post_id=post_id)
        .only(
            "pk", "post_id", "parent_id", "depth", "kind", "name", "website", "body_html", "created"
        )
        .order_by("created", "pk")
    )
)


@register.simple_tag
def comment_thread(post, blog=None) -> Thread:
    """The approved comments of `post` in reading order, in one query however many there are.

    The page is rendered in one flat loop rather than a template include per comment, which
    made 1,000 comments about ten times slower to render (bench/comments_bench.py).
    """
    comments, mentions = [], []
    for comment in APPROVED_COMMENTS.objects(int(post.pk)):
        (mentions if comment.is_mention else comments).append(comment)
    blog = blog or None  # a template passes "" for a page outside any blog
    closed = comments_closed(post, blog)
    reply_base = reverse("comments:reply", args=[post.pk, 0])[: -len("0/")]
    now = timezone.now()
    zone = timezone.get_current_timezone()
    ordered = thread_order(comments)
    anchors = old_anchors([comment.id for comment in comments])
    items = []
    for index, (comment, level) in enumerate(ordered):
        next_level = ordered[index + 1][1] if index + 1 < len(ordered) else 0
        local = comment.created.astimezone(zone)
        items.append(
            ThreadItem(
                comment=comment,
                reply_url=f"{reply_base}{comment.id}/",
                iso=machine_datetime(local),
                exact=exact_date(local),
                age=relative_age(comment.created, now),
                opens=next_level > level,
                closes=[None] * max(0, level - next_level),
                old_anchor=anchors.get(comment.id, ""),
            )
        )
    noun = page_noun(post)
    return Thread(
        items=items,
        count=len(comments),
        closed=closed,
        mentions=mentions,
        noun=noun,
        shown=noun == "post" or not closed or bool(comments or mentions),
    )


def _comment_html(item: ThreadItem, *, closed: bool) -> str:
    """One comment of the list (see comment_list), every value escaped but the body, which
    render_body made safe when the comment was saved."""
    comment = item.comment
    pk = int(comment.id)
    name = escape(comment.name)
    if comment.website:
        author = f'<a href="{escape(comment.website)}" rel="nofollow ugc">{name}</a>'
    else:
        author = name
    old = f'<span id="{escape(item.old_anchor)}"></span>' if item.old_anchor else ""
    iso = escape(item.iso)
    reply = (
        ""
        if closed
        else f'\n    <p class="comment-reply"><a href="{escape(item.reply_url)}" '
        f'data-reply-to="{pk}">Reply to {name}</a></p>'
    )
    end = '<ol class="comment-replies">' if item.opens else "</li>"
    return (
        f'<li class="comment" id="comment-{pk}">{old}\n'
        f'  <article aria-label="Comment by {name}">\n'
        '    <header class="comment-meta">\n'
        f'      <span class="comment-author">{author}</span>\n'
        f'      <a class="comment-permalink" href="#comment-{pk}">'
        f'<time datetime="{iso}">{escape(item.exact)}</time></a>\n'
        f'      <span class="comment-age" data-since="{iso}">{escape(item.age)}</span>\n'
        "    </header>\n"
        f'    <div class="comment-body">{comment.body_html}</div>{reply}\n'
        f"  </article>\n{end}{'</ol></li>' * len(item.closes)}\n"
    )


@register.simple_tag
def comment_list(thread: Thread) -> SafeString:
    """The <li> of every comment of `thread`, replies nested, in reading order.

    Written here rather than in a template loop: a page of 1,000 comments spent 150-200 ms of
    CPU in the loop's 12,000 variable lookups and filters, and 10-15 ms this way (issue #14,
    bench/bad_input.py). The markup is what the loop wrote.
    """
    closed = thread.closed
    return mark_safe("".join(_comment_html(item, closed=closed) for item in thread.items))  # noqa: S308 -- escaped above


FORM_TEMPLATE = "comments/includes/comment_form.html"
# How long the shared empty form is kept: its token carries the time it was made.
FORM_SECONDS = 300
# Stands for the form's action while the shared form is rendered. The empty form's HTML is
# made of the template, the field widgets and the token (digits and URL-safe base64), none of
# which can hold a NUL character, so the marker is found exactly where the action goes.
_ACTION_MARKER = "\x00comment-form-action\x00"


def _empty_form_parts() -> tuple[str, str]:
    """The HTML of the empty comment form, split where a post's action address goes."""
    html = get_template(FORM_TEMPLATE).render(
        {"form": CommentForm(), "form_action": _ACTION_MARKER, "parent": None}
    )
    parts = html.split(_ACTION_MARKER)
    if len(parts) != 2:
        raise ValueError(f"{FORM_TEMPLATE} must hold its form_action exactly once")
    return parts[0], parts[1]


@register.simple_tag(takes_context=True)
def empty_comment_form(context: template.Context, post: Page) -> SafeString:
    """The empty comment form for `post`, the same for every reader.

    Rendering the form's widgets costs several milliseconds, which a bake (every post rendered
    once) paid for every post when the form was remembered per post. Nothing in the empty
    form names its post but the action address (the token binds only the time and the form's
    purpose; the parent field is empty), so the form is rendered once per content version in
    each process, and again every FORM_SECONDS for a fresh token, and each post puts in its
    own address. A preview renders it afresh, as {% remember %} does.
    """
    request = context.get("request")
    head, tail = frame.remembered_unless_preview(
        request,
        ("fragment", "comment-form"),
        _empty_form_parts,
        until=lambda _parts: time.time() + FORM_SECONDS,
    )
    # Escaped as {% url %} would: the address holds the site's script prefix too.
    action = conditional_escape(reverse("comments:post", args=[int(post.pk)]))
    return mark_safe(f"{head}{action}{tail}")
