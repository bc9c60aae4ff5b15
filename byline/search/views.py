"""/search/: the reader's search page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from wagtail.models import Site

from byline.core import frame
from byline.search import engines
from byline.search.forms import SearchForm, filter_choices
from byline.search.services import search_posts


def _page_number(request: HttpRequest) -> int:
    # As byline.core.pagination: anything but a positive whole number is a 404.
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise Http404("No such page")
    return int(raw)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    site = Site.find_for_request(request)
    root = site.root_page if site else None
    data = request.GET.copy()
    # Django refuses NUL in a form field; a reader (or a fuzzer) typing one gets it dropped.
    for key in ("q", "blog", "author", "year"):
        if key in data:
            data[key] = data[key].replace("\x00", "")
    # Blogs, authors and years change only with the content version (and the year).
    choices = frame.remembered(
        request,
        ("search-choices", root.pk if root else None, timezone.now().year),
        lambda: filter_choices(root),
    )
    form = SearchForm(data, root=root, choices=choices)
    form.is_valid()
    # An unknown blog, author or year is ignored (and the form shows "All …"), not an error.
    values = {name: form.cleaned_data.get(name, "") for name in ("q", "blog", "author", "year")}
    ignored = [name for name in ("blog", "author", "year") if name in form.errors]
    for name in ignored:
        form.data = form.data.copy()
        form.data[name] = ""
    blog = form.blogs.get(values["blog"])
    author = form.authors.get(values["author"])
    filters = engines.Filters(
        site_path=root.path if root else "\uffff",
        blog_path=blog.path if blog else "",
        author_id=author.pk if author else None,
        year=int(values["year"]) if values["year"] else None,
    )
    outcome = search_posts(
        raw_query=values["q"],
        filters=filters,
        page_number=_page_number(request),
        request=request,
    )
    return TemplateResponse(
        request,
        "search/search_page.html",
        {
            "form": form,
            "outcome": outcome,
            "page_obj": outcome.page,
            "ignored_filters": ignored,
            "filtered": bool(blog or author or values["year"]),
        },
    )
