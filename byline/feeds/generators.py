"""Feed writers: Django's RSS and Atom with what they lack (full content, several authors),
and JSON Feed 1.1, which Django does not have."""

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


class BrowserStyledFeed:
    """A feed that a browser shows as a readable page: <?xml-stylesheet?> names the XSLT
    stylesheet (a static file, same origin, as the Content-Security-Policy wants), and
    <?byline-stylesheet?> the site's CSS that the page it makes uses. XSLT 1.0 cannot know
    the hashed static names, so the feed tells it."""

    content_type = FEED_CONTENT_TYPE

    def write(self, outfile, encoding) -> None:
        buffer = io.BytesIO()
        super().write(buffer, encoding)
        body = buffer.getvalue()
        # After the XML declaration that SimplerXMLGenerator.startDocument() wrote.
        declaration_end = body.index(b"?>") + 2
        instructions = (
            f'\n<?xml-stylesheet type="text/xsl" href="{static("xsl/feed.xsl")}"?>'
            f'\n<?byline-stylesheet href="{static("css/byline.css")}"?>'
        ).encode(encoding)
        outfile.write(body[:declaration_end] + instructions + body[declaration_end:])


class RssFeed(BrowserStyledFeed, feedgenerator.Rss201rev2Feed):
    """RSS 2.0; with full content the excerpt stays in <description> and the whole post goes in
    <content:encoded>, the common extension readers look for."""

    def rss_attributes(self) -> dict:
        attrs = super().rss_attributes()
        attrs["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        attrs["xmlns:dc"] = "http://purl.org/dc/elements/1.1/"
        return attrs

    def add_item_elements(self, handler, item) -> None:
        names = item.get("author_names") or ()
        # Django writes one dc:creator, with a namespace declaration each time; we declare it
        # once on <rss> and write one per author.
        item = {**item, "author_name": None}
        super().add_item_elements(handler, item)
        for name in names:
            handler.addQuickElement("dc:creator", name)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        # RSS 2.0 has no date for an item changed after it went out; a corrected post says when
        # in Atom's <updated> (the atom namespace Django declares for its self link), which
        # feed readers take as the entry's updated date.
        pubdate, updated = item.get("pubdate"), item.get("updateddate")
        if updated and pubdate and updated > pubdate:
            handler.addQuickElement("atom:updated", feedgenerator.rfc3339_date(updated))


class AtomFeed(BrowserStyledFeed, feedgenerator.Atom1Feed):
    """Atom 1.0 (RFC 4287) with an <author> per author, <content> and a <summary>."""

    def add_item_elements(self, handler, item) -> None:
        names = item.get("author_names") or ()
        urls = item.get("author_urls") or [""] * len(names)
        super().add_item_elements(handler, {**item, "author_name": None})
        for name, url in zip(names, urls, strict=True):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if url:
                handler.addQuickElement("uri", url)
            handler.endElement("author")
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class JsonFeed(feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""

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
            entry["content_text"] = item.get("summary") or item["title"]
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
