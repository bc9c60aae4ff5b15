"""Django's RSS and Atom writers, made to show as a readable page when opened in a browser, and
JSON Feed 1.1, which Django does not have: the writers every feed of the site uses."""

from __future__ import annotations

import io
import json

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


class JsonFeed(feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). Besides Django's item fields it
    reads, from a Feed's item_extra_kwargs(), `author_names` and `author_urls`, `summary` (plain
    text), and `content_html` or else `content_text` (plain text, shown as it is)."""

    content_type = "application/feed+json; charset=utf-8"

    def as_dict(self) -> dict:
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
            "items": [self._item(item) for item in self.items],
        }
        if self.feed["author_name"]:
            feed["authors"] = [{"name": self.feed["author_name"]}]
        return {key: value for key, value in feed.items() if value not in (None, "")}

    @staticmethod
    def _authors(item: dict) -> list[dict]:
        names = item.get("author_names") or ()
        urls = item.get("author_urls") or [""] * len(names)
        return [
            {"name": name, "url": url} if url else {"name": name}
            for name, url in zip(names, urls, strict=True)
        ]

    @staticmethod
    def _item(item: dict) -> dict:
        entry = {
            "id": item["unique_id"],
            "url": item["link"],
            "title": item["title"],
            "summary": item.get("summary") or None,
            "date_published": item["pubdate"].isoformat() if item["pubdate"] else None,
            "date_modified": item["updateddate"].isoformat() if item["updateddate"] else None,
            "authors": JsonFeed._authors(item) or None,
            "tags": list(item["categories"]) or None,
        }
        # JSON Feed needs one of content_html and content_text.
        if item.get("content_html"):
            entry["content_html"] = item["content_html"]
        else:
            entry["content_text"] = item.get("content_text") or item.get("summary") or item["title"]
        if item["enclosures"]:
            enclosure = item["enclosures"][0]
            entry["image"] = enclosure.url
            entry["attachments"] = [
                {
                    "url": enclosure.url,
                    "mime_type": enclosure.mime_type,
                    "size_in_bytes": int(enclosure.length),
                }
            ]
        return {key: value for key, value in entry.items() if value is not None}

    def write(self, outfile, encoding) -> None:
        outfile.write(json.dumps(self.as_dict(), ensure_ascii=False, indent=None).encode(encoding))
