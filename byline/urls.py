"""Byline's URLs: Django views first, then Wagtail's page tree for everything else."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from byline.core import privacy, routing
from byline.core import views as core_views
from byline.ops.password_reset import LimitedPasswordResetView

urlpatterns = [
    # The admin's password-reset form, rate-limited (before the admin's own URLs, which it
    # hides), and never cached, as Wagtail's admin views are.
    path(
        "admin/password_reset/",
        never_cache(LimitedPasswordResetView.as_view()),
        name="wagtailadmin_password_reset",
    ),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document views: its password form rate-limited, a restricted document
    # private to its reader (before wagtaildocs_urls, whose same patterns they hide: the
    # same converters, so that no spelling of an id reaches Wagtail's).
    re_path(r"^documents/(\d+)/(.*)$", privacy.document_file, name="wagtaildocs_serve"),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        privacy.document_password,
        name="wagtaildocs_authenticate_with_password",
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", include("byline.blogs.urls")),
    path("", include("byline.comments.urls")),
    path("", include("byline.mailguard.urls")),
    path("", include("byline.featured.urls")),
    path("", include("byline.feeds.urls")),
    path("", include("byline.corrections.urls")),
    path("", include("byline.search.urls")),
    path("", include("byline.newsletters.urls")),
    path("", include("byline.importers.urls")),
]

if settings.BYLINE_SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", core_views.media)]

urlpatterns += [
    # Wagtail's own address for its password form, rate-limited. With Wagtail's own `int`
    # converter, and Wagtail's pattern left out below: under a stricter one, an id written
    # with leading zeros (/_util/authenticate_with_password/0005/0007/) reached Wagtail's
    # unlimited view.
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        privacy.page_password,
        name="wagtailcore_authenticate_with_password",
    ),
    # Wagtail's own patterns (its front-end login), then the page tree, routed in two
    # queries rather than Wagtail's two per level (byline/core/routing.py).
    *(
        pattern
        for pattern in wagtail_urls.urlpatterns
        if pattern.name not in ("wagtail_serve", "wagtailcore_authenticate_with_password")
    ),
    re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve"),
]

handler500 = "byline.core.views.server_error"
