"""Editors' newsletter pages in the Wagtail admin: the subscribers of each column, each
issue's counts, and, per post, the e-mail's preview, a test send and the switch to not send."""

from __future__ import annotations

import datetime

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
    per_status = {
        status: Count("subscriber", filter=Q(subscriber__status=status))
        for status in SubscriberStatus.values
    }
    new = Count(
        "subscriber",
        filter=Q(subscriber__status=SubscriberStatus.CONFIRMED, created__gte=month_ago),
    )
    grouped = (
        Subscription.objects.values("blog_id", "author_id")
        .annotate(**per_status, new=new)
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
        lists.append({"name": name, **row})
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


def post_newsletter(request: HttpRequest, page_id: int) -> HttpResponse:
    post = _editable_post(request, page_id)
    sending = PostSending.objects.filter(page=post).first()
    issue = Issue.objects.filter(page=post).first()
    return render(
        request,
        "newsletters/admin/post.html",
        {
            "post": post,
            "enabled": sending is None or sending.enabled,
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
    messages.success(
        request,
        "This post will be e-mailed to subscribers when it goes live."
        if enabled
        else "This post will not be e-mailed.",
    )
    return HttpResponseRedirect(reverse("newsletters_admin:post", args=[post.pk]))
