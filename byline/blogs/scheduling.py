"""Scheduling posts in the admin: "Publish at…" in one step, and the scheduled posts listed.

Wagtail schedules a page when it is published with a go-live time still to come: the revision
keeps the time (`approved_go_live_at`) and `byline scheduler` publishes it then, as any
publish (the post gets its date, the page store is purged). Wagtail asks for that time in a
dialog of the status side panel, then for "Publish"; here the post's action menu offers
"Publish at…": a date and time and one button (the form's side is byline.blogs.forms).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.ui.components import Component
from wagtail.models import Revision
from wagtail.permissions import page_permission_policy

from byline.blogs.forms import PUBLISH_AT
from byline.blogs.models import BlogPage, PostPage

# Posts listed on the dashboard, soonest first.
DASHBOARD_COUNT = 20


class PublishAtMenuItem(ActionMenuItem):
    """ "Publish at…" in a post's action menu: opens a dialog with a date-time field and a
    "Schedule" button that publishes the post to go live at that time."""

    label = "Publish at…"
    name = "action-publish-at"
    icon_name = "calendar-alt"
    template_name = "blogs/admin/publish_at.html"
    order = 35  # right under Publish (30)

    def is_shown(self, context) -> bool:
        if context["view"] == "create":
            parent = context["parent_page"]
            return (
                issubclass(parent.specific_class or type(parent), BlogPage)
                and parent.permissions_for_user(context["request"].user).can_publish_subpage()
            )
        if context["view"] != "edit" or not isinstance(context["page"], PostPage):
            return False
        tester = self.get_user_page_permissions_tester(context)
        return not context["locked_for_user"] and tester.can_publish()

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        request = context["request"]
        page = context.get("page")
        # What the editor typed, after a refusal; else the time already scheduled, if any.
        when = request.POST.get("publish_at", "") if request.method == "POST" else ""
        scheduled = page.go_live_at if page is not None else None
        if not when and scheduled and scheduled > timezone.now():
            when = timezone.localtime(scheduled).strftime("%Y-%m-%dT%H:%M")
        context.update(
            {"publish_at_value": when, "publish_at_action": PUBLISH_AT, "dialog_id": "publish-at"}
        )
        return context


@dataclass(frozen=True)
class ScheduledPost:
    post: PostPage
    go_live_at: datetime.datetime
    blog: str


def scheduled_posts(user: AbstractBaseUser, *, limit: int = DASHBOARD_COUNT) -> list[ScheduledPost]:
    """Posts with a version waiting to go live, soonest first, among those `user` may edit or
    publish (two queries, three with the blogs' titles)."""
    revisions = list(
        Revision.page_revisions.filter(approved_go_live_at__isnull=False)
        .order_by("approved_go_live_at", "pk")
        .values_list("object_id", "approved_go_live_at")
    )
    if not revisions:
        return []
    editable = page_permission_policy.instances_user_has_any_permission_for(
        user, ["change", "publish"]
    )
    ids = [int(object_id) for object_id, _ in revisions]
    posts = {
        post.pk: post
        for post in PostPage.objects.filter(pk__in=ids)
        .filter(pk__in=editable.values("pk"))
        .defer_streamfields()
    }
    blogs = dict(
        BlogPage.objects.filter(
            path__in={post.path[: -post.steplen] for post in posts.values()}
        ).values_list("path", "title")
    )
    listed = []
    for object_id, when in revisions:
        post = posts.get(int(object_id))
        if post is not None:
            listed.append(ScheduledPost(post, when, blogs.get(post.path[: -post.steplen], "")))
    return listed[:limit]


class ScheduledPostsPanel(Component):
    """The dashboard's list of scheduled posts and when each goes live."""

    name = "scheduled_posts"
    template_name = "blogs/admin/scheduled_posts_panel.html"
    order = 90  # above Wagtail's own panels: what goes out next matters first

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        return {
            "scheduled": scheduled_posts(request.user),
            "request": request,
            "time_zone": timezone.get_current_timezone_name(),
        }
