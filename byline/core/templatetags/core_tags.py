"""Small template helpers shared by every app's templates."""

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number: int) -> str:
    """The current query string with ?page= set to `number` (page 1 drops it)."""
    query: QueryDict = context["request"].GET.copy()
    query.pop("page", None)
    if number > 1:
        query["page"] = str(number)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "."
