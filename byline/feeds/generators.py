"""Feed writers: the site's RSS and Atom (core's, readable in a browser) with what Django's lack
(full content, several authors), and JSON Feed 1.1 (core's too: the corrections feed uses it)."""

from __future__ import annotations

from django.utils import feedgenerator

from byline.core.feedwriters import JsonFeed, StyledAtomFeed, StyledRssFeed

__all__ = ["AtomFeed", "JsonFeed", "RssFeed"]


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
