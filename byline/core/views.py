"""Views that belong to the platform rather than to a feature: health, local media."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
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


def media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded media from MEDIA_ROOT, for a single box without a web server in front
    (BYLINE_SERVE_MEDIA). Django's serve() refuses paths that leave the directory."""
    # MEDIA_ROOT is read per request, not when the URLconf loads, so that a test (or a
    # settings override) that moves it is honoured.
    return serve(request, path, document_root=settings.MEDIA_ROOT)
