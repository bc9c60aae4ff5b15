"""Django's RSS and Atom writers, made to show as a readable page when opened in a browser."""

from __future__ import annotations

import io

from django.templatetags.static import static
from django.utils import feedgenerator

# RSS and Atom go out as application/xml, not their registered application/rss+xml and
# application/atom+xml: Chromium (checked with 156) shows those two as plain text and never
# applies an XSLT stylesheet to them, while it does transform application/xml. Feed readers
# go by the content, not the type (feedparser reads both the same), and `byline bake` writes
# feeds as .xml files, which web servers send as application/xml anyway. Autodiscovery links
# (<link rel="alternate" type="application/rss+xml">) keep the registered types.
FEED_CONTENT_TYPE = "application/xml; charset=utf-8"

# What the page says the feed holds, from a Feed's feed_extra_kwargs(): the items' plural
# noun ("Latest comments") and the words of the link back to the site. Posts by default.
PAGE_ITEMS = "page_items"
PAGE_SITE_LINK = "page_site_link"


def _pseudo_attribute(name: str, value: str) -> str:
    # A processing instruction has no escaping: a quote would end the value, "?>" the
    # instruction. The words come from code, never from readers or editors.
    if '"' in value or "?>" in value:
        raise ValueError(f"{name} cannot hold a double quote or '?>': {value!r}")
    return f'{name}="{value}"'


class BrowserStyledFeed:
    """A feed that a browser shows as a readable page: <?xml-stylesheet?> names the XSLT
    stylesheet (a static file, same origin, as the Content-Security-Policy wants),
    <?byline-stylesheet?> the site's CSS that the page it makes uses (XSLT 1.0 cannot know
    the hashed static names, so the feed tells it), and <?byline-feed-page?> what the items
    are called on that page."""

    content_type = FEED_CONTENT_TYPE

    def write(self, outfile, encoding) -> None:
        buffer = io.StringIO()
        super().write(buffer, encoding)
        body = buffer.getvalue()
        # After the XML declaration that SimplerXMLGenerator.startDocument() wrote.
        declaration_end = body.index("?>") + 2
        items = self.feed.get(PAGE_ITEMS) or "posts"
        site_link = self.feed.get(PAGE_SITE_LINK) or f"Read the {items} on the site"
        page = " ".join(
            (_pseudo_attribute("items", items), _pseudo_attribute("site-link", site_link))
        )
        instructions = (
            f'\n<?xml-stylesheet type="text/xsl" href="{static("xsl/feed.xsl")}"?>'
            f'\n<?byline-stylesheet href="{static("css/byline.css")}"?>'
            f"\n<?byline-feed-page {page}?>"
        )
        styled = body[:declaration_end] + instructions + body[declaration_end:]
        # A response or a binary file takes bytes; writeString() hands a StringIO.
        outfile.write(styled if isinstance(outfile, io.TextIOBase) else styled.encode(encoding))


class StyledRssFeed(BrowserStyledFeed, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 as Django writes it, readable in a browser."""


class StyledAtomFeed(BrowserStyledFeed, feedgenerator.Atom1Feed):
    """Atom 1.0 as Django writes it, readable in a browser."""
