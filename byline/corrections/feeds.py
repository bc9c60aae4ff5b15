"""The feeds of /corrections/: each note an item, linking to its post, newest first."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from wagtail.models import Site

from byline.corrections.models import Correction

FEED_LENGTH = 50


class CorrectionsFeed(Feed):
    feed_type = Rss201rev2Feed
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

    def items(self) -> list[Correction]:
        return list(Correction.objects.published().select_related("post")[:FEED_LENGTH])

    def item_title(self, note: Correction) -> str:
        return f"{note.get_kind_display()}: {note.post.title}"

    def item_description(self, note: Correction) -> str:
        # Plain text: Django's feed generator escapes it, so markup typed in stays text.
        return note.text

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
    feed_type = Atom1Feed
    subtitle = CorrectionsFeed.description
