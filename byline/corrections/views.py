"""/corrections/: every note on a published post, newest first."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from byline.core.pagination import paginate
from byline.corrections.models import Correction


def corrections_list(request: HttpRequest) -> HttpResponse:
    notes = Correction.objects.published().select_related("post")
    page = paginate(request, notes)
    return TemplateResponse(
        request, "corrections/corrections_list.html", {"notes": page, "page_obj": page}
    )
