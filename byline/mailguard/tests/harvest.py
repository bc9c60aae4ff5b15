"""What a harvester would find in a response: written independently of mailguard's own finder.

A harvester decodes before it matches: character references (twice, for the HTML that feeds
carry escaped), JSON escapes and percent-encoding. Then a regex like the ones spam lists are
built with.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

HARVEST = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}", re.UNICODE)
# Retina images ("logo@2x.png") look like addresses to a careless regex; no TLD is a file type.
NOT_ADDRESSES = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|avif)$", re.IGNORECASE)


def harvester_view(body: str) -> str:
    text = html.unescape(html.unescape(body))
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match[1], 16)), text)
    return unquote(text)


def harvest(body: str) -> set[str]:
    """Every address a harvester reads in `body`, lower-cased."""
    return {
        match.group().lower().strip(".'+-")
        for match in HARVEST.finditer(harvester_view(body))
        if not NOT_ADDRESSES.search(match.group())
    }
