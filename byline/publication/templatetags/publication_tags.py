"""Template tag: the publication's footer, rendered once per content version."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString
from wagtail.models import Site
from wagtail.templatetags.wagtailcore_tags import richtext

from byline.core import frame
from byline.publication.models import PublicationSettings

register = template.Library()


@register.simple_tag(takes_context=True)
def publication_footer(context: template.Context) -> SafeString:
    """The footer editors wrote in the publication's settings, as HTML (empty without one):
    read and its links resolved once per content version in each process, not per render."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return SafeString("")

    def read() -> SafeString:
        # Not Wagtail's for_site(), which creates the row: a reader's GET writes nothing.
        footer = (
            PublicationSettings.objects.filter(site=site).values_list("footer", flat=True)
        ).first()
        return SafeString(richtext(footer) if footer else "")

    return frame.remembered(request, ("publication-footer", site.pk), read)
