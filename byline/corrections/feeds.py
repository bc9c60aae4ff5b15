"""The feeds of /corrections/: each note an item, linking to its post, newest first; the writers
are core's (byline/core/feedwriters.py), whose RSS and Atom show as a page in a browser."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.html import escape
from wagtail.models import Site

from byline.core.feedwriters import PAGE_ITEMS, JsonFeed, StyledAtomFeed, StyledRssFeed
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


class CorrectionsJsonFeed(CorrectionsFeed):
    feed_type = JsonFeed

    def item_extra_kwargs(self, note: Correction) -> dict:
        # content_text is plain text: the note as typed, markup included.
        return {"content_text": note.text}
