"""Feed writers: the site's RSS and Atom (core's, readable in a browser) with what Django's lack
(full content, several authors), and JSON Feed 1.1, which Django does not have."""

from __future__ import annotations

import json

from django.utils import feedgenerator

from byline.core.feedwriters import StyledAtomFeed, StyledRssFeed


class RssFeed(StyledRssFeed):
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


class AtomFeed(StyledAtomFeed):
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
