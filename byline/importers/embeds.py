"""Embeds of an import, asked of their providers once: the ones that do not answer are named.

An embed block keeps its URL whatever happens, and shows a plain link to it while the
provider does not answer (blogs/blocks/embed.html). Asking here tells the site owner which
will show as links. With no network
at all every lookup fails the same way, so after a few failures in a row with no success
the rest are not asked, and the report says so once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from wagtail.embeds import embeds
from wagtail.embeds.exceptions import EmbedException
from wagtail.embeds.finders import get_finders
from wagtail.embeds.finders.oembed import OEmbedFinder

# Failures in a row, before any success, after which the providers are taken to be out
# of reach (no network) rather than each refusing its own URL.
GIVE_UP_AFTER = 3
# Seconds to wait for a provider: Wagtail's oEmbed finder sets no timeout, and the import
# holds its transaction open while it waits.
TIMEOUT = 5


def provider_answers(url: str) -> bool:
    """Whether the oEmbed provider of `url` answers with an embed, waiting TIMEOUT at most."""
    for finder in get_finders():
        if not finder.accept(url):
            continue
        if isinstance(finder, OEmbedFinder):
            # The finder's own endpoint for the URL (a private method: Wagtail offers no
            # other way to ask it with a timeout).
            endpoint = finder._get_endpoint(url)
            try:
                response = requests.get(
                    endpoint,
                    params={"url": url, "format": "json", "maxwidth": 800},
                    headers={"User-agent": "Mozilla/5.0"},
                    timeout=TIMEOUT,
                )
                response.raise_for_status()
                return "type" in response.json()
            except (requests.RequestException, ValueError):
                return False
        try:
            embeds.get_embed(url, max_width=800)
        except EmbedException:
            return False
        return True
    return False


@dataclass
class EmbedCheck:
    """Looks each embed URL up once per import."""

    answered: dict[str, bool] = field(default_factory=dict)
    failures_in_a_row: int = 0
    any_success: bool = False
    not_asked: int = 0

    def unreachable(self) -> bool:
        return not self.any_success and self.failures_in_a_row >= GIVE_UP_AFTER

    def check(self, url: str) -> bool | None:
        """True if the provider answered, False if not, None if it was not asked."""
        if url in self.answered:
            return self.answered[url]
        if self.unreachable():
            self.not_asked += 1
            return None
        answered = self.answered[url] = provider_answers(url)
        if answered:
            self.any_success = True
            self.failures_in_a_row = 0
        else:
            self.failures_in_a_row += 1
        return answered

    def notes_for(self, urls: list[str]) -> list[str]:
        """A note per embed whose provider did not answer."""
        return [
            f"embed {url}: the provider did not answer; it shows as a link to that address"
            for url in urls
            if self.check(url) is False
        ]

    def summary(self) -> list[str]:
        if not self.not_asked:
            return []
        return [
            f"{self.not_asked} more embeds were not looked up (no provider answered at all, "
            "the network may be out of reach); each keeps its URL and shows as a link to it "
            "until its provider answers"
        ]
