"""Readers' plain text to safe HTML: paragraphs and bare links, never the reader's own markup."""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape

# http(s) URLs and www. addresses, stopping at whitespace and at characters that cannot end a
# URL in prose (a closing bracket or a full stop after a link belongs to the sentence).
_URL = re.compile(r"\b((?:https?://|www\.)[^\s<>\"']+)", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_LINK_REL = "nofollow ugc noopener"
# Control characters other than tab and newlines: never part of a comment.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def count_links(text: str) -> int:
    return len(_URL.findall(text or ""))


def _link(match: re.Match) -> str:
    url = match.group(1)
    tail = ""
    while url and url[-1] in _TRAILING:
        tail = url[-1] + tail
        url = url[:-1]
    href = url if url.lower().startswith("http") else f"https://{url}"
    # `url` is already escaped text; `href` is too, so it can go in the attribute as it is.
    return f'<a href="{href}" rel="{_LINK_REL}">{url}</a>{tail}'


def render_body(text: str) -> str:
    """Escape everything, then add <p>, <br> and links to bare URLs; nh3 checks the result.

    nh3 is defence in depth: what comes out of the escaping can only hold our own three tags,
    so the sanitiser should never have anything to remove (a test holds it to that).
    """
    text = CONTROL_CHARS.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    html = "".join(
        "<p>" + _URL.sub(_link, escape(part)).replace("\n", "<br>") + "</p>" for part in paragraphs
    )
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href", "rel"}},
        url_schemes={"http", "https"},
        link_rel=None,
    )
