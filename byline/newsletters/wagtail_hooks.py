"""The newsletters in the Wagtail admin: a menu item (subscribers per column and issues), the
subscriber list, and a "Newsletter" action on every post (preview, test, on or off)."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy

from byline.blogs.models import PostPage
from byline.newsletters import admin_views
from byline.newsletters.models import Subscriber

admin_patterns = (
    [
        path("", admin_views.overview, name="overview"),
        path("post/<rowid:page_id>/", admin_views.post_newsletter, name="post"),
        path("post/<rowid:page_id>/preview/", admin_views.post_preview, name="post-preview"),
        path("post/<rowid:page_id>/test/", admin_views.post_send_test, name="post-test"),
        path("post/<rowid:page_id>/sending/", admin_views.post_toggle, name="post-toggle"),
        path("post/<rowid:page_id>/resume/", admin_views.post_resume, name="post-resume"),
    ],
    "newsletters_admin",
)


@hooks.register("register_admin_urls")
def newsletter_admin_urls():
    return [path("newsletters/", include(admin_patterns))]


class NewslettersMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("newsletters.view_subscriber")


@hooks.register("register_admin_menu_item")
def newsletters_menu_item():
    return NewslettersMenuItem(
        "Newsletters", reverse("newsletters_admin:overview"), icon_name="mail", order=260
    )


class SubscriberPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds a subscriber here, superusers included: a subscriber is made by their own
    confirmed sign-up or by an import of a list they joined, never typed in by an editor."""

    def user_has_permission(self, user, action: str) -> bool:
        return action != "add" and super().user_has_permission(user, action)


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "mail"
    menu_label = "Subscribers"
    add_to_admin_menu = False
    list_display = ["email", "status", "frequency", "source", "created", "confirmed_at"]
    list_filter = ["status", "frequency", "source"]
    search_fields = ["email"]
    list_per_page = 100
    form_fields = ["status", "frequency"]
    inspect_view_enabled = True
    copy_view_enabled = False  # a copy is an added subscriber too

    @property
    def permission_policy(self) -> ModelPermissionPolicy:
        return SubscriberPermissionPolicy(self.model)


subscriber_viewset = SubscriberViewSet("newsletter_subscribers")


@hooks.register("register_admin_viewset")
def register_subscribers():
    return subscriber_viewset


def _newsletter_button(page, user, priority: int):
    post_type = page.specific_class
    if post_type and issubclass(post_type, PostPage) and page.permissions_for_user(user).can_edit():
        yield Button(
            "Newsletter",
            url=reverse("newsletters_admin:post", args=[page.pk]),
            icon_name="mail",
            priority=priority,
        )


@hooks.register("register_page_header_buttons")
def page_header_newsletter(page, user, view_name=None, next_url=None):
    yield from _newsletter_button(page, user, 66)


@hooks.register("register_page_listing_more_buttons")
def page_listing_newsletter(page, user, next_url=None):
    yield from _newsletter_button(page, user, 55)
