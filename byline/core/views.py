"""Views that belong to the platform rather than to a feature: health, local media, errors,
the favicon."""

import logging
import posixpath
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 when the database and the cache answer, 503 when not."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # any failure means "not ready"; the log says which
        logger.exception("healthz: database check failed")
        checks["database"] = "error"
    try:
        cache.set("byline:healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("byline:healthz") == "ok" else "error"
    except Exception:
        logger.exception("healthz: cache check failed")
        checks["cache"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, where feed readers, crawlers and bookmarks look for a site's icon without
    reading a page's <link rel="icon">: a redirect to the static file, which whitenoise serves
    under its hashed name. The static URL is read per request (the manifest of hashed names
    exists only after collectstatic); the redirect is kept a day, so a new icon gets round."""
    return HttpResponseRedirect(static("img/favicon.ico"))


# Where Wagtail stores documents (AbstractDocument.file's upload_to). A document may belong to
# a collection with a view restriction, which only Wagtail's document view checks
# (/documents/<id>/<name>, WAGTAILDOCS_SERVE_METHOD), so /media/ never serves this folder.
DOCUMENTS_DIR = "documents"


def media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded media from MEDIA_ROOT, for a single box without a web server in front
    (BYLINE_SERVE_MEDIA): images and other public files, never documents (404). Django's
    serve() refuses paths that leave the directory."""
    # Normalised as serve() normalises it, so that "./documents/…" or "x/../documents/…"
    # cannot reach the folder by another spelling.
    first = posixpath.normpath(path).lstrip("/").split("/", 1)[0]
    if first.casefold() == DOCUMENTS_DIR:
        raise Http404("Documents are served at /documents/.")
    # MEDIA_ROOT is read per request, not when the URLconf loads, so that a test (or a
    # settings override) that moves it is honoured.
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as error:
        # A name the file system refuses to look up (too long: ENAMETOOLONG) is no file.
        raise Http404("No such file.") from error


# Seconds a client (a CDN, a load balancer, a feed reader) is asked to wait before retrying.
DATABASE_DOWN_RETRY_AFTER = 10


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A database that does not answer (restarting, failing over, out of
    connections) is a 503 with Retry-After, which CDNs and load balancers treat as passing:
    they retry or serve what they hold, and nothing caches the error. Anything else is the
    plain 500 page. Neither page touches the database."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_DOWN_RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request)
