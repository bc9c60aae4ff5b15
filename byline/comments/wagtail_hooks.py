"""Comments in the Wagtail admin: the moderation queue (admin_views.py) with its count in the
menu and on the dashboard, and every comment as a snippet to search, edit or erase."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.functional import classproperty
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.permissions import get_permission_name
from wagtail.snippets.views.snippets import SnippetViewSet

from byline.comments import admin_views
from byline.comments.models import CommentStatus, ReaderComment
from byline.comments.services import comments_set_status


class ReaderCommentViewSet(SnippetViewSet):
    model = ReaderComment
    icon = "comment"
    menu_label = "All comments"
    # The menu's "Comments" is the moderation queue, which links here.
    add_to_admin_menu = False
    list_display = [
        "name",
        Column("excerpt", label="Comment", accessor="body_excerpt"),
        Column("post", label="Page", accessor="post"),
        "kind",
        "status",
        "moderation_note",
        "created",
    ]
    list_filter = ["status", "kind"]
    list_per_page = 50
    ordering = ["-created"]
    panels = [
        FieldPanel("name"),
        FieldPanel("website"),
        FieldPanel("body"),
        FieldPanel("status"),
        FieldPanel("notify_replies"),
    ]

    def get_queryset(self, request):
        return ReaderComment.objects.select_related("post")


register_snippet(ReaderCommentViewSet)


@hooks.register("register_admin_urls")
def moderation_queue_url():
    return [path("comments/queue/", admin_views.queue, name="comments_queue")]


class ModerationMenuItem(MenuItem):
    """ "Comments" in the menu, with the number waiting: "Comments (3)" (a longer label is cut
    short in the sidebar; the dashboard spells it out)."""

    def is_shown(self, request) -> bool:
        return admin_views.can_moderate(request.user)

    def render_component(self, request):
        waiting = admin_views.waiting_count(request)
        label = f"{self.label} ({waiting})" if waiting else self.label
        return LinkMenuItem(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname
        )


@hooks.register("register_admin_menu_item")
def moderation_menu_item():
    return ModerationMenuItem(
        "Comments", reverse("comments_queue"), name="comments", icon_name="comment", order=250
    )


class WaitingCommentsPanel(Component):
    """The dashboard's count of comments waiting, with the way to the queue."""

    name = "comments_waiting"
    template_name = "comments/admin/waiting_panel.html"
    order = 80  # first: readers are waiting on these

    def get_context_data(self, parent_context):
        return {"waiting": admin_views.waiting_count(parent_context["request"])}


@hooks.register("construct_homepage_panels")
def comments_waiting_panel(request, panels):
    if admin_views.can_moderate(request.user):
        panels.append(WaitingCommentsPanel())


class _StatusBulkAction(SnippetBulkAction):
    template_name = "comments/admin/confirm_bulk_status.html"
    new_status: CommentStatus

    @classproperty
    def models(cls):
        return [ReaderComment]

    def check_perm(self, snippet) -> bool:
        if getattr(self, "can_change_items", None) is None:
            self.can_change_items = self.request.user.has_perm(
                get_permission_name("change", ReaderComment)
            )
        return self.can_change_items

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "action_label": self.display_name}

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return comments_set_status(comments=objects, status=cls.new_status), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{num_parent_objects} comment(s): {self.display_name.lower()} done."


@hooks.register("register_bulk_action")
class ApproveBulkAction(_StatusBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve selected comments"
    action_priority = 10
    new_status = CommentStatus.APPROVED


@hooks.register("register_bulk_action")
class SpamBulkAction(_StatusBulkAction):
    display_name = "Mark as spam"
    action_type = "spam"
    aria_label = "Mark selected comments as spam"
    action_priority = 20
    new_status = CommentStatus.SPAM
