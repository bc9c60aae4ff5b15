"""Views that belong to the platform rather than to a feature: health."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

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
