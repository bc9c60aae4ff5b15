"""Editors' newsletter pages in the Wagtail admin: the subscribers of each column, each
issue's counts, and, per post, the e-mail's preview, a test send, the switch to not send and,
for an issue the mail server stopped, the button to send on."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from byline.blogs.models import Author, BlogPage, PostPage
from byline.newsletters import mail, scopes
from byline.newsletters.content import render_post
from byline.newsletters.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    PostSending,
    Subscriber,
    SubscriberStatus,
    Subscription,
)


def _can_view_subscribers(request: HttpRequest) -> None:
    if not request.user.has_perm("newsletters.view_subscriber"):
        raise PermissionDenied


def issue_counts(issue_ids: list[int]) -> dict[int, dict[str, int]]:
    """Sent, failed, unsubscribed (through this issue's link), waiting and cancelled per issue."""
    rows = (
        Delivery.objects.filter(issue_id__in=issue_ids)
        .values("issue_id")
        .annotate(
            sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
            waiting=Count(
                "pk",
                filter=Q(
                    status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRY, DeliveryStatus.DIGEST]
                ),
            ),
            cancelled=Count("pk", filter=Q(status=DeliveryStatus.CANCELLED)),
            unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        )
    )
    return {row.pop("issue_id"): row for row in rows}


def overview(request: HttpRequest) -> HttpResponse:
    """Subscribers per column and author (by status, and new in 30 days), and the issues."""
    _can_view_subscribers(request)
    month_ago = timezone.now() - datetime.timedelta(days=30)
    # A confirmed reader's list that waits for its own confirmation (an import's) counts as
    # not confirmed: it gets nothing yet.
    waiting = Q(subscriber__status=SubscriberStatus.CONFIRMED, confirmed=False)
    per_status = {
        status: Count("subscriber", filter=Q(subscriber__status=status))
        for status in SubscriberStatus.values
    }
    per_status[SubscriberStatus.CONFIRMED] = Count(
        "subscriber", filter=Q(subscriber__status=SubscriberStatus.CONFIRMED, confirmed=True)
    )
    per_status[SubscriberStatus.PENDING] = Count(
        "subscriber", filter=Q(subscriber__status=SubscriberStatus.PENDING) | waiting
    )
    new = Count(
        "subscriber",
        filter=Q(
            subscriber__status=SubscriberStatus.CONFIRMED, confirmed=True, created__gte=month_ago
        ),
    )
    grouped = (
        Subscription.objects.values("blog_id", "author_id")
        # Named apart from the model's fields (Subscription.confirmed).
        .annotate(**{f"count_{status}": count for status, count in per_status.items()}, new=new)
        .order_by()
    )
    blogs = dict(BlogPage.objects.values_list("pk", "title"))
    authors = dict(Author.objects.values_list("pk", "name"))
    lists = []
    for row in grouped:
        if row["blog_id"]:
            name = blogs.get(row["blog_id"], "?")
        elif row["author_id"]:
            name = f"{authors.get(row['author_id'], '?')} (author)"
        else:
            name = "Everything"
        counts = {status: row[f"count_{status}"] for status in per_status}
        lists.append({"name": name, **counts, "new": row["new"]})
    lists.sort(key=lambda row: row["name"])
    issues = list(Issue.objects.select_related("page")[:50])
    counts = issue_counts([issue.pk for issue in issues])
    return render(
        request,
        "newsletters/admin/overview.html",
        {
            "lists": lists,
            "statuses": SubscriberStatus.choices,
            "issues": [(issue, counts.get(issue.pk, {})) for issue in issues],
            "totals": Subscriber.objects.values("status")
            .annotate(n=Count("pk"))
            .order_by("status"),
        },
    )


def _editable_post(request: HttpRequest, page_id: int) -> PostPage:
    post = get_object_or_404(PostPage, pk=page_id)
    if not post.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return post


def _latest(post: PostPage) -> PostPage:
    """The post as the editor last saved it (a draft's changes included)."""
    return post.get_latest_revision_as_object() if post.has_unpublished_changes else post


def sending_plan(post: PostPage, issue: Issue | None, *, enabled: bool) -> str:
    """What will happen to `post`'s e-mail, as the editor should be told it."""
    if not enabled:
        return "This post will not be e-mailed."
    if issue is not None and issue.cancelled_at is not None:
        return (
            "This post's mailing was cancelled, and a post is mailed once: it will not be "
            "e-mailed again, even to subscribers it had not reached."
        )
    if issue is not None and issue.stopped_at is not None:
        return "This post's mailing is stopped; it goes on when you resume it."
    if issue is not None:
        return "This post has been e-mailed to its subscribers (or is being e-mailed now)."
    hours = settings.BYLINE_NEWSLETTERS_MAX_POST_AGE_HOURS
    if post.live:
        # Only going live makes an issue (signal_handlers.page_published).
        return (
            "This post is live already, so it will not be e-mailed now. Publishing it again "
            f"e-mails it, if it is dated within the last {hours} hours."
        )
    if post.date is not None and post.date < timezone.now() - datetime.timedelta(hours=hours):
        return (
            f"This post is dated more than {hours} hours ago, so it will not be e-mailed "
            "when it goes live."
        )
    return "This post will be e-mailed to its subscribers when it goes live."


def post_newsletter(request: HttpRequest, page_id: int) -> HttpResponse:
    post = _editable_post(request, page_id)
    sending = PostSending.objects.filter(page=post).first()
    issue = Issue.objects.filter(page=post).first()
    enabled = sending is None or sending.enabled
    return render(
        request,
        "newsletters/admin/post.html",
        {
            "post": post,
            "enabled": enabled,
            "plan": sending_plan(post, issue, enabled=enabled),
            "issue": issue,
            "counts": issue_counts([issue.pk]).get(issue.pk, {}) if issue else {},
            "preview_url": reverse("newsletters_admin:post-preview", args=[post.pk]),
        },
    )


@xframe_options_sameorigin  # shown in an iframe on the page above
def post_preview(request: HttpRequest, page_id: int) -> HttpResponse:
    post = _latest(_editable_post(request, page_id))
    message = _message_for(post, email=request.user.email or "editor@example.com")
    html = message.alternatives[0][0] if message.alternatives else message.body
    response = HttpResponse(html)
    # The preview's links are real links; opened from here, they leave the admin's frame.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; base-uri 'none'"
    )
    return response


def _message_for(post: PostPage, *, email: str):
    blog = post.get_parent().specific
    scope = scopes.scope_of(blog=blog) if isinstance(blog, BlogPage) else scopes.ALL
    name = blog.title if isinstance(blog, BlogPage) else scopes.publication_name()
    return mail.post_message(
        render_post(post), email=email, scope_list=[scope], list_name=name, issue_id=0
    )


@require_POST
def post_send_test(request: HttpRequest, page_id: int) -> HttpResponse:
    post = _latest(_editable_post(request, page_id))
    back = reverse("newsletters_admin:post", args=[post.pk])
    if not request.user.email:
        messages.error(request, "Your account has no e-mail address to send the test to.")
        return HttpResponseRedirect(back)
    message = _message_for(post, email=request.user.email)
    message.subject = f"[Test] {message.subject}"
    try:
        message.send()
    except Exception as error:  # the editor should see why, not a 500
        messages.error(request, f"The test could not be sent: {error}")
    else:
        messages.success(request, f"Test sent to {request.user.email}.")
    return HttpResponseRedirect(back)


@require_POST
def post_toggle(request: HttpRequest, page_id: int) -> HttpResponse:
    post = _editable_post(request, page_id)
    enabled = request.POST.get("enabled") == "1"
    PostSending.objects.update_or_create(page=post, defaults={"enabled": enabled})
    if not enabled:
        from byline.newsletters.sending import issue_cancel

        issue = Issue.objects.filter(page=post, cancelled_at__isnull=True).first()
        if issue is not None:
            issue_cancel(issue)
    issue = Issue.objects.filter(page=post).first()
    messages.success(request, sending_plan(post, issue, enabled=enabled))
    return HttpResponseRedirect(reverse("newsletters_admin:post", args=[post.pk]))


@require_POST
def post_resume(request: HttpRequest, page_id: int) -> HttpResponse:
    """Send on an issue the mail server stopped, once the editor has seen why (and perhaps
    changed the post or the mail server's settings)."""
    from byline.newsletters.sending import issue_resume

    post = _editable_post(request, page_id)
    issue = get_object_or_404(Issue, page=post)
    if issue_resume(issue):
        messages.success(request, "Sending goes on from where it stopped.")
    else:
        messages.info(request, "This post's mailing was not stopped.")
    return HttpResponseRedirect(reverse("newsletters_admin:post", args=[post.pk]))
