"""The feeds of /corrections/: each note an item, linking to its post, newest first; RSS and Atom
show as a page in a browser (byline/core/feedwriters.py)."""

from __future__ import annotations

import json

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import SyndicationFeed
from django.utils.html import escape
from wagtail.models import Site

from byline.core.feedwriters import PAGE_ITEMS, StyledAtomFeed, StyledRssFeed
from byline.corrections.models import Correction

FEED_LENGTH = 50


class CorrectionsFeed(Feed):
    feed_type = StyledRssFeed
    description = "Corrections, clarifications and updates to published posts, newest first."

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self) -> str:
        site = Site.find_for_request(self.request)
        name = site.site_name if site and site.site_name else ""
        return f"Corrections · {name}" if name else "Corrections"

    def link(self) -> str:
        return reverse("corrections:list")

    def feed_extra_kwargs(self, obj) -> dict:
        return {PAGE_ITEMS: "corrections"}

    def items(self) -> list[Correction]:
        return list(Correction.objects.published().select_related("post")[:FEED_LENGTH])

    def item_title(self, note: Correction) -> str:
        return f"{note.get_kind_display()}: {note.post.title}"

    def item_description(self, note: Correction) -> str:
        # RSS's <description> and Atom's <summary type="html"> are HTML to every reader (and
        # to the feed's page): escaped, the note's plain text shows as typed, markup included.
        return escape(note.text)

    def item_link(self, note: Correction) -> str:
        return note.post.get_url(self.request)

    def item_guid(self, note: Correction) -> str:
        return self.request.build_absolute_uri(f"{self.link()}#correction-{note.pk}")

    item_guid_is_permalink = False

    def item_pubdate(self, note: Correction):
        return note.published_at

    def item_updateddate(self, note: Correction):
        return note.published_at


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = StyledAtomFeed
    subtitle = CorrectionsFeed.description


class JsonFeedWriter(SyndicationFeed):
    """JSON Feed 1.1 of the notes. The feeds app's writer stands on this app's floor, out of
    reach (docs/architecture.md), and a note needs only the fields below."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding) -> None:
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "items": [
                {
                    "id": item["unique_id"],
                    "url": item["link"],
                    "title": item["title"],
                    # Plain text: a reader shows it as it is, markup typed in included.
                    "content_text": item["description"],
                    "date_published": item["pubdate"].isoformat(),
                    "date_modified": item["updateddate"].isoformat(),
                }
                for item in self.items
            ],
        }
        outfile.write(json.dumps(feed, ensure_ascii=False).encode(encoding))


class CorrectionsJsonFeed(CorrectionsFeed):
    feed_type = JsonFeedWriter

    def item_description(self, note: Correction) -> str:
        # content_text is plain text: the note as typed.
        return note.text
