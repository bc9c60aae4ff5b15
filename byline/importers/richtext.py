"""Rich text in the exact form Wagtail's editor (Draftail) reads and writes back.

An imported paragraph is stored as the editor would store it after opening and saving it:
it is passed through Wagtail's own converter, HTML to the editor's content state and back.
So the editor never meets markup it cannot parse (`<p>…<br>…</p>` made it answer 500:
Wagtail's parser wants `<br/>`), and a save through the editor changes nothing.
"""

from __future__ import annotations

import hashlib
import html
import re
from functools import cache

import nh3
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from byline.blogs.blocks import NOTE_FEATURES, PROSE_FEATURES

# What Draftail's features above can hold (see wagtail.admin.wagtail_hooks); everything else
# is unwrapped to its text before conversion.
_INLINE = {"a", "strong", "b", "em", "i", "sup", "sub", "s", "del", "strike", "code", "kbd",
           "samp", "tt", "var", "br"}  # fmt: skip
_BLOCK = {"p", "ul", "ol", "li"}
# Formatting with no feature of its own, written as the nearest one that exists.
_RENAMES = [
    (re.compile(r"<(/?)(?:del|strike)>"), r"<\1s>"),
    (re.compile(r"<(/?)(?:kbd|samp|tt|var)>"), r"<\1code>"),
]


# What a second pass can still change in a first pass's output: whitespace at the edge of a
# run or a paragraph, between two tags or in a row, a line break ending a run, an empty link,
# a list (nested and adjacent lists are rebuilt). Output with none of these is already the
# fixed point (no counterexample in 500,000 generated fragments; the hypothesis test of
# test_richtext_fixed_point checks it on every run), and most prose has none of them.
_UNSETTLED = re.compile(
    r"<[^/][^>]*>\s|\s</|\s<br|>\s<|<br/></(?!p>)|<a [^>]*></a>|\s\s|[\t\n\r\f\v]|<li"
)
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|<br/>)*</p>")
_BLOCK_KEY = re.compile(r'data-block-key="[^"]*"')


@cache
def _converter(features: tuple[str, ...]) -> ContentstateConverter:
    return ContentstateConverter(list(features))


def draftail_html(fragment: str, features: list[str] | None = None) -> str:
    """`fragment` (sanitised or not) as the editor stores it with these features; "" if
    nothing is left. Never raises: if Wagtail's parser still refuses it, the text is kept as
    plain paragraphs."""
    features = features or PROSE_FEATURES
    tags = set(_INLINE)
    if "ol" in features or "ul" in features:
        tags |= _BLOCK
    else:
        tags |= {"p"}
    cleaned = nh3.clean(
        fragment or "",
        tags=tags,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "form"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    for pattern, replacement in _RENAMES:
        cleaned = pattern.sub(replacement, cleaned)
    # Wagtail's HTML parser (html.parser based) matches every start tag with an end tag; a
    # void <br> must be written <br/> as the editor writes it.
    cleaned = re.sub(r"<br>\s*", "<br/>", cleaned)
    # A paragraph left empty (by a script removed, an image lifted out) is no paragraph.
    cleaned = _EMPTY_PARAGRAPH.sub("", cleaned)
    if not cleaned.strip():
        return ""
    converter = _converter(tuple(features))
    try:
        stored = _settle(converter, cleaned)
    except (AssertionError, KeyError, ValueError, IndexError):
        # Markup Wagtail's parser still refuses (a list inside inline formatting…): its
        # text, as plain paragraphs.
        text = html.unescape(nh3.clean(cleaned.replace("<br/>", "\n"), tags={"p"}))
        paragraphs = [part.strip() for part in re.split(r"</?p>", text) if part.strip()]
        stored = _settle(converter, "".join(f"<p>{html.escape(part)}</p>" for part in paragraphs))
    return stored if _has_text(stored) else ""


def _once(converter: ContentstateConverter, markup: str) -> str:
    """from_database_format() then to_database_format(), without the JSON text between
    them (encoding and decoding it was most of the time an import spent on rich text)."""
    handler = converter.html_to_contentstate_handler
    handler.reset()
    handler.feed(markup)
    handler.close()
    state = handler.contentstate.as_dict()
    state["entityMap"] = {str(key): entity for key, entity in state["entityMap"].items()}
    return converter.exporter.render(state)


def _settle(converter: ContentstateConverter, markup: str) -> str:
    """Convert until a pass changes nothing (the first can still move a space across the end
    of a bold or italic run; the second cannot), so that the editor's own save is a no-op."""
    stored = _once(converter, markup)
    if stored and not _UNSETTLED.search(stored):
        return stored
    # A pass may settle one such place only (a no-break space after each of several line
    # breaks went one a pass): as many passes as there are places, and a few more.
    for _ in range(3 + len(_UNSETTLED.findall(stored))):
        again = _once(converter, stored)
        if again == stored:
            break
        stored = again
    return stored


def stable_block_keys(stored: str, seed: str) -> str:
    """The editor's paragraph keys (data-block-key, random when written) made from `seed`,
    so that importing the same content twice stores the same text."""
    count = iter(range(1_000_000))

    def key(match: re.Match) -> str:
        digest = hashlib.sha1(f"{seed}/{next(count)}".encode(), usedforsecurity=False)
        return f'data-block-key="{digest.hexdigest()[:5]}"'

    return _BLOCK_KEY.sub(key, stored)


def note_html(fragment: str) -> str:
    """A footnote's text as the editor stores it."""
    return draftail_html(fragment, NOTE_FEATURES)


def _has_text(stored: str) -> bool:
    return bool(html.unescape(re.sub(r"<[^>]+>", "", stored)).strip())
