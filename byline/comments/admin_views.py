"""The moderation queue in the admin: Approve, Spam and Delete per comment or in bulk, one click
each, with Undo; the post and context of every comment; a keyboard path (static queue.js).

"Delete" takes a comment off the site and out of the queue as Removed (readers never see a
removed comment; replies to it keep their place), so that one click can be undone. Erasing
for good is the comment's own Delete in the full list (the snippet), which asks first.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages

from byline.comments.models import CommentStatus, ReaderComment, with_specific_pages
from byline.comments.services import comments_set_status

# The permission that moderating takes: Wagtail's "change" on the comment snippet.
MODERATE = "comments.change_readercomment"
PER_PAGE = 50
# What each button does, and what the message says it did.
ACTIONS = {
    "approve": (CommentStatus.APPROVED, "Approved"),
    "spam": (CommentStatus.SPAM, "Marked as spam"),
    "delete": (CommentStatus.REMOVED, "Deleted"),
}
# The queue's tabs, the first the default.
TABS = [
    (CommentStatus.PENDING, "Waiting"),
    (CommentStatus.SPAM, "Spam"),
    (CommentStatus.APPROVED, "Approved"),
    (CommentStatus.REMOVED, "Deleted"),
]
UNDO_KEY = "comments_queue_undo"


def can_moderate(user) -> bool:
    return user.is_active and user.has_perm(MODERATE)


def waiting_count(request: HttpRequest) -> int:
    """Comments waiting for a moderator: one indexed count per request, however many places
    (menu, dashboard, queue) show it."""
    if not hasattr(request, "_comments_waiting"):
        pending = ReaderComment.objects.filter(status=CommentStatus.PENDING)
        request._comments_waiting = pending.count()
    return request._comments_waiting


@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    if not can_moderate(request.user):
        raise PermissionDenied
    status = request.GET.get("status", CommentStatus.PENDING)
    if status not in dict(TABS):
        status = CommentStatus.PENDING
    if request.method == "POST":
        act(request)  # (the redirect counts again: the count shown is after the action)
        return redirect(_queue_url(status, request.GET.get("page")))
    comments = (
        ReaderComment.objects.filter(status=status)
        .select_related("parent")
        .order_by("-created", "-pk")
    )
    paginator = Paginator(comments, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = with_specific_pages(page.object_list)
    return TemplateResponse(
        request,
        "comments/admin/queue.html",
        {
            "rows": rows,
            "page_obj": page,
            "status": status,
            "tabs": [(value, label, value == status) for value, label in TABS],
            "tab_label": dict(TABS)[status],
            "waiting": waiting_count(request),
            "undo": request.session.get(UNDO_KEY),
        },
    )


def act(request: HttpRequest) -> None:
    """One button of the queue's form: `act` is "approve", "spam" or "delete", for the
    comments ticked, or "approve:<id>" (and so on) for one row; or Undo of the last one."""
    if "undo" in request.POST:
        return undo(request)
    name, _, one = request.POST.get("act", "").partition(":")
    if name not in ACTIONS:
        messages.error(request, "Unknown action: nothing was changed.")
        return None
    ids = [one] if one else request.POST.getlist("comment")
    ids = [int(value) for value in ids if value.isascii() and value.isdigit()]
    comments = list(ReaderComment.objects.filter(pk__in=ids))
    if not comments:
        messages.warning(request, "Tick the comments to act on first: nothing was changed.")
        return None
    status, done = ACTIONS[name]
    before = {comment.pk: comment.status for comment in comments}
    comments_set_status(comments=comments, status=status)
    request.session[UNDO_KEY] = {
        "before": {str(pk): previous for pk, previous in before.items()},
        "label": done,
    }
    what = f"{comments[0].name}’s comment" if len(comments) == 1 else f"{len(comments)} comments"
    messages.success(request, f"{done}: {what}.")
    return None


def undo(request: HttpRequest) -> None:
    last = request.session.pop(UNDO_KEY, None)
    if not last:
        messages.warning(request, "Nothing to undo.")
        return
    by_status: dict[str, list[int]] = {}
    for pk, previous in last["before"].items():
        by_status.setdefault(previous, []).append(int(pk))
    restored = 0
    for previous, ids in by_status.items():
        comments = ReaderComment.objects.filter(pk__in=ids)
        restored += comments_set_status(comments=comments, status=CommentStatus(previous))
    what = "1 comment" if restored == 1 else f"{restored} comments"
    messages.success(request, f"Undone ({last['label'].lower()}): {what} put back as before.")


def _queue_url(status: str, page: str | None) -> str:
    url = reverse("comments_queue")
    query = [] if status == CommentStatus.PENDING else [f"status={status}"]
    if page and page.isascii() and page.isdigit():
        query.append(f"page={page}")
    return f"{url}?{'&'.join(query)}" if query else url
