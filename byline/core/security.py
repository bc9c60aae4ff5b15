"""Security headers on every response: a strict Content-Security-Policy and its companions."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Reader pages run no inline script and no inline style: everything they execute is a
# self-hosted file. Images and embeds may come from a CDN or object storage over HTTPS.
READER_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "media-src 'self' https:",
        "frame-src https:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# A preview is a reader page the admin shows in its preview panel, in a same-origin frame.
# Wagtail renders it by sending a request it makes up for the page's own address (marked
# `is_preview`) through the whole middleware stack, so it gets a reader policy, which the
# admin's response then keeps: the reader policy, framed by this site only.
PREVIEW_POLICY = READER_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
# Wagtail's admin needs inline scripts and styles of its own; it is only for logged-in
# editors, and still may not be framed by another site or load plugins. Its live preview
# (under /admin/) shows pages in a same-origin frame.
ADMIN_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "frame-src 'self' https:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'self'",
    ]
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy (Django's SecurityMiddleware does
    nosniff, Referrer-Policy, COOP, HSTS and the HTTPS redirect), and lets the admin frame
    previews."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.admin_prefix = "/admin/"
        self.report_only = settings.BYLINE_CSP_REPORT_ONLY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only" if self.report_only else "Content-Security-Policy"
        )
        if getattr(request, "is_preview", False):
            response[header] = PREVIEW_POLICY
            # Django's XFrameOptionsMiddleware, below this one, sent DENY; Wagtail's own
            # SAMEORIGIN comes on the panel's view only, not on a revision's preview.
            response["X-Frame-Options"] = "SAMEORIGIN"
        elif header not in response:
            policy = ADMIN_POLICY if request.path.startswith(self.admin_prefix) else READER_POLICY
            response[header] = policy
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
