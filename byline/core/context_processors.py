"""Template context every reader page needs: the publication's name."""

from django.conf import settings
from django.http import HttpRequest
from wagtail.models import Site


def publication(request: HttpRequest) -> dict:
    # find_for_request caches on the request, and Wagtail's own serving has already called it.
    site = Site.find_for_request(request)
    return {"site_name": (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME}
