"""Small template helpers shared by every app's templates."""

from __future__ import annotations

import time

from django import template
from django.db.models import Model
from django.http import QueryDict
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from byline.core import frame
from byline.core.dates import machine_datetime

register = template.Library()
register.filter("machine_datetime", machine_datetime)


@register.simple_tag(takes_context=True)
def page_query(context, number: int) -> str:
    """The current query string with ?page= set to `number` (page 1 drops it)."""
    query: QueryDict = context["request"].GET.copy()
    query.pop("page", None)
    if number > 1:
        query["page"] = str(number)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "."


@register.simple_tag(takes_context=True)
def page_address(context, page) -> str:
    """`page`'s absolute address on the host and scheme the reader asked for, as the
    canonical link in <head> has it. Wagtail's {% fullpageurl %} starts from the Site
    record's host and port instead, which an editor may have left at another address (a
    bake for --base-url https://news.example.com wrote the record's 127.0.0.1:8000 into
    every post's share links)."""
    request = context["request"]
    url = page.get_url(request)
    # None for a page in no site (a preview of one): no address, rather than the request's.
    return request.build_absolute_uri(url) if url else ""


def _key_part(value: object) -> object:
    # A page or other row stands for itself by its table and key, not its whole state: its
    # state is what the content version covers.
    if isinstance(value, Model):
        return (value._meta.label_lower, value.pk)
    return str(value)


class RememberNode(template.Node):
    def __init__(
        self,
        name: str,
        keys: list[FilterExpression],
        seconds: FilterExpression | None,
        nodelist: NodeList,
        per_item: bool = False,
    ):
        self.name = name
        self.keys = keys
        self.seconds = seconds
        self.nodelist = nodelist
        self.per_item = per_item

    def render(self, context: template.Context) -> SafeString:
        request = context.get("request")
        key = ("fragment", self.name, *(_key_part(k.resolve(context)) for k in self.keys))
        seconds = int(self.seconds.resolve(context)) if self.seconds is not None else None

        def build() -> SafeString:
            return mark_safe(self.nodelist.render(context))

        until = (lambda _html: time.time() + seconds) if seconds else None
        return frame.remembered_unless_preview(
            request,
            key,
            build,
            until=until,
            per_page=bool(self.keys),
            per_item=self.per_item,
        )


@register.tag
def remember(parser: Parser, token: Token) -> RememberNode:
    """``{% remember "name" key… [seconds=N] [per_item] %}…{% endremember %}``: the enclosed
    HTML, rendered once per content version in each process (byline.core.frame) for each
    value of the keys, and again after N seconds if given (for a form whose token carries its
    time).

    Only for HTML the same for every reader: everything it varies with must be a key or be
    covered by the content version (pages, sites, restrictions, Featured lists, the
    publication's settings, authors, images, corrections). Fragments with keys are a single
    page's and are bounded per process; with `per_item` they are a single post's, author's or
    blog's that many pages show (a post's summary), bounded apart; without keys the fragment
    is the whole site's. A preview renders the body every time."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% remember %} needs a quoted name.")
    name = bits[1]
    if not (name[0] == name[-1] and name[0] in "\"'"):
        raise template.TemplateSyntaxError("{% remember %}'s name must be quoted.")
    keys, seconds, per_item = [], None, False
    for bit in bits[2:]:
        if bit == "per_item":
            per_item = True
        elif bit.startswith("seconds="):
            seconds = parser.compile_filter(bit.removeprefix("seconds="))
        else:
            keys.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endremember",))
    parser.delete_first_token()
    if per_item and not keys:
        raise template.TemplateSyntaxError("{% remember %} per_item needs the item as a key.")
    return RememberNode(name[1:-1], keys, seconds, nodelist, per_item)
