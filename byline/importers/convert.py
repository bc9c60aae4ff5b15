"""WordPress post content (classic HTML, block-editor markup, shortcodes) to StreamField data."""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from lxml import etree
from lxml import html as lxml_html

# What survives sanitizing: the markup of prose, lists, tables, code and media; never script,
# style, forms, iframes or event handlers (an export is untrusted input).
ALLOWED_TAGS = {
    "p", "br", "a", "strong", "b", "em", "i", "u", "s", "del", "ins", "sub", "sup", "code",
    "pre", "kbd", "samp", "var", "mark", "small", "abbr", "cite", "q", "blockquote", "ul", "ol",
    "li", "dl", "dt", "dd", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot",
    "tr", "th", "td", "caption", "colgroup", "col", "hr", "figure", "figcaption", "img", "audio",
    "video", "source", "span", "div", "details", "summary", "address", "time",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed", "type"},
    "audio": {"src", "controls"},
    "video": {"src", "controls", "poster", "width", "height"},
    "source": {"src", "type"},
    "abbr": {"title"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Hosts whose bare URL on a line of its own WordPress turns into an embed (its oEmbed
# allow-list, the common part of it).
EMBED_HOSTS = re.compile(
    r"(^|\.)(youtube\.com|youtu\.be|vimeo\.com|twitter\.com|x\.com|flickr\.com|soundcloud\.com|"
    r"spotify\.com|instagram\.com|ted\.com|slideshare\.net|dailymotion\.com|wordpress\.tv|"
    r"tiktok\.com|reddit\.com|tumblr\.com|imgur\.com|speakerdeck\.com|mixcloud\.com)$"
)

_BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|"
    "area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|"
    "hgroup|header|footer|nav|figure|figcaption|details|menu|summary|x-embed|audio|video|iframe|"
    "object|embed|script|source"
)
_BLOCK_TAG = re.compile(rf"^({_BLOCK_TAGS})$", re.I)
_STARTS_WITH_BLOCK = re.compile(rf"^\s*</?({_BLOCK_TAGS})[\s/>]", re.I)
_BLOCK_COMMENT = re.compile(
    r"<!--\s+(?P<close>/)?wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s+"
    r"(?P<attrs>\{.*?\}\s+)?(?P<void>/)?-->",
    re.S,
)
_SHORTCODE = re.compile(
    r"\[(?P<name>caption|wp_caption|gallery|embed|audio|video|playlist)\b(?P<attrs>[^\]]*)\]"
    r"(?:(?P<inner>.*?)\[/(?P=name)\])?",
    re.S,
)
_SHORTCODE_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")


@dataclass
class ImageRef:
    """A Wagtail image the content can point at."""

    pk: int
    alt: str = ""


@dataclass
class Converter:
    """Turns one post's content into StreamField raw data.

    `rewrite_url` maps an old-site URL to its new home (or returns it unchanged);
    `find_image` finds the Wagtail image imported for an uploads URL or attachment id.
    """

    rewrite_url: Callable[[str], str] = lambda url: url
    find_image: Callable[[str | int], ImageRef | None] = lambda key: None
    attachment_url: Callable[[int], str | None] = lambda pk: None
    # The post's own attached files, for a [gallery] that names no ids.
    own_attachments: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def convert(self, content: str, *, key: str = "") -> list[dict]:
        """StreamField raw data (a list of {"type", "value", "id"}) for WordPress content."""
        if "<!-- wp:" in content:
            source = self._from_blocks(content)
        else:
            source = autop(self._shortcodes(content))
        blocks = self._html_to_blocks(source)
        for position, block in enumerate(blocks):
            # Stable ids, so that re-importing the same content changes nothing.
            block["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}#{position}"))
        return blocks

    # -- block editor -------------------------------------------------------------------
    def _from_blocks(self, content: str) -> str:
        """Block-editor markup to HTML: block delimiters dropped, embeds marked, the
        freeform ("classic") parts between blocks run through autop as WordPress does."""
        out: list[str] = []
        depth = 0
        position = 0
        for match in _BLOCK_COMMENT.finditer(content):
            between = content[position : match.start()]
            out.append(between if depth else autop(self._shortcodes(between)))
            position = match.end()
            name = match.group("name")
            if match.group("close"):
                depth = max(depth - 1, 0)
                continue
            attrs = _json_attrs(match.group("attrs"))
            is_embed = name in {"embed", "core-embed"} or name.startswith(("core-embed/", "embed"))
            if is_embed and attrs.get("url") and depth == 0:
                out.append(f'<x-embed data-url="{html.escape(str(attrs["url"]))}"></x-embed>')
                # The block's own HTML (a figure around the URL) says nothing more.
                end = content.find("<!-- /wp:", match.end())
                close = _BLOCK_COMMENT.match(content, end) if end != -1 else None
                if close and not match.group("void"):
                    position = close.end()
                    continue
            if not match.group("void"):
                depth += 1
        tail = content[position:]
        out.append(tail if depth else autop(self._shortcodes(tail)))
        return self._shortcodes("".join(out))

    # -- shortcodes ---------------------------------------------------------------------
    def _shortcodes(self, text: str) -> str:
        return _SHORTCODE.sub(self._shortcode, text) if "[" in text else text

    def _shortcode(self, match: re.Match) -> str:
        name = match.group("name")
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _SHORTCODE_ATTR.finditer(match.group("attrs") or "")
        }
        inner = match.group("inner") or ""
        if name in {"caption", "wp_caption"}:
            # [caption]<img …> The caption text[/caption]; the caption may also be an attribute.
            media = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", inner, re.S)
            image, text = (media.group(1), media.group(2)) if media else (inner, "")
            text = text.strip() or attrs.get("caption", "")
            return f"<figure>{image}<figcaption>{text}</figcaption></figure>"
        if name == "gallery":
            ids = [int(pk) for pk in re.findall(r"\d+", attrs.get("ids", attrs.get("include", "")))]
            ids = ids or self.own_attachments
            figures = []
            for pk in ids:
                url = self.attachment_url(pk)
                if url:
                    figures.append(f'<figure><img src="{html.escape(url)}" alt=""></figure>')
            return "".join(figures)
        if name == "embed":
            url = inner.strip() or attrs.get("src", "")
            return f'<x-embed data-url="{html.escape(url)}"></x-embed>' if url else ""
        if name in {"audio", "video"}:
            src = attrs.get("src") or next(
                (v for k, v in attrs.items() if k in {"mp3", "m4a", "ogg", "wav", "mp4", "webm"}),
                "",
            )
            if not src:
                return ""
            src = html.escape(src)
            return f'<{name} controls src="{src}"><a href="{src}">{src}</a></{name}>'
        self.notes.append(f"[{name}] is not supported and was left out")
        return ""

    # -- HTML to blocks ---------------------------------------------------------------
    def _html_to_blocks(self, source: str) -> list[dict]:
        if not source.strip():
            return []
        parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
        try:
            root = lxml_html.fragment_fromstring(source, create_parent="div", parser=parser)
        except (etree.ParserError, ValueError):
            return [_paragraph(sanitize(html.escape(source)))] if source.strip() else []
        for element in root.iter("a", "img", "source", "audio", "video"):
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value:
                    element.set(attribute, self.rewrite_url(value.strip()))
        builder = _BlockBuilder(self)
        builder.walk(root)
        return builder.finish()


class _BlockBuilder:
    """Walks the top level of the HTML, emitting structured blocks where a WordPress element
    has a Byline block, and gathering everything else into sanitized prose."""

    FLATTEN = {"div", "section", "article", "main", "header", "footer", "aside", "center"}

    def __init__(self, converter: Converter) -> None:
        self.converter = converter
        self.blocks: list[dict] = []
        self.prose: list[str] = []

    def walk(self, parent: etree._Element) -> None:
        if parent.text and parent.text.strip():
            self.prose.append(f"<p>{html.escape(parent.text.strip())}</p>")
        for element in parent:
            tail = element.tail
            if isinstance(element.tag, str):
                self.element(element)
            if tail and tail.strip():
                self.prose.append(f"<p>{html.escape(tail.strip())}</p>")

    def element(self, element: etree._Element) -> None:
        tag = element.tag.lower()
        if tag == "x-embed":
            self.emit("embed", element.get("data-url", ""))
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            text = " ".join(element.text_content().split())
            if text:
                level = {"h1": "h2", "h2": "h2", "h3": "h3"}.get(tag, "h4")
                self.emit("heading", {"text": text[:255], "level": level})
        elif tag == "blockquote" or (tag == "figure" and _only_child(element, "blockquote")):
            self.quotation(element if tag == "blockquote" else element.find("blockquote"))
        elif tag in {"figure", "img", "a", "p"} and self.figure(element):
            pass
        elif tag in self.FLATTEN or (tag == "figure" and _is_gallery(element)):
            self.walk(element)
        else:
            element.tail = None
            markup = etree.tostring(element, encoding="unicode", method="html")
            # Inline markup on its own (a <span>, an unknown <marquee>) still makes a paragraph.
            self.prose.append(markup if _BLOCK_TAG.match(tag) else f"<p>{markup}</p>")

    def figure(self, element: etree._Element) -> bool:
        """A lone image (optionally linked, optionally captioned) that is a Wagtail image."""
        images = element.xpath(".//img") if element.tag != "img" else [element]
        if len(images) != 1:
            return False
        text = "".join(element.itertext()) if element.tag != "figure" else ""
        if element.tag in {"p", "a"} and text.strip():
            return False
        image = images[0]
        ref = self.converter.find_image(image.get("src", ""))
        classes = image.get("class", "")
        if ref is None and (match := re.search(r"wp-image-(\d+)", classes)):
            ref = self.converter.find_image(int(match.group(1)))
        if ref is None:
            return False
        caption = element.find(".//figcaption")
        caption_text = " ".join(caption.text_content().split()) if caption is not None else ""
        alt = (image.get("alt") or ref.alt or "").strip()
        self.emit(
            "figure",
            {
                "image": {"image": ref.pk, "decorative": not alt, "alt_text": alt[:255]},
                "caption": caption_text[:500],
                "credit": "",
            },
        )
        return True

    def quotation(self, quote: etree._Element) -> None:
        speaker = ""
        for cite in quote.findall(".//cite"):
            speaker = speaker or " ".join(cite.text_content().split())
            cite.drop_tree()
        inner = (quote.text or "") + "".join(
            etree.tostring(child, encoding="unicode", method="html") for child in quote
        )
        text = sanitize(inner, tags={"p", "br", "a", "strong", "b", "em", "i"})
        if not text.strip():
            return
        if not text.lstrip().startswith("<p"):
            text = f"<p>{text}</p>"
        self.emit(
            "quotation",
            {
                "text": text,
                "speaker": speaker[:255],
                "source_title": "",
                "source_url": quote.get("cite", "") if _is_http(quote.get("cite", "")) else "",
                "date": None,
                "emphasis_added": False,
            },
        )

    def emit(self, kind: str, value: object) -> None:
        self.flush()
        self.blocks.append({"type": kind, "value": value})

    def flush(self) -> None:
        if self.prose:
            cleaned = sanitize("".join(self.prose)).strip()
            if cleaned:
                self.blocks.append(_paragraph(cleaned))
            self.prose = []

    def finish(self) -> list[dict]:
        self.flush()
        return self.blocks


def _paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": text}


def _only_child(element: etree._Element, tag: str) -> bool:
    children = [child for child in element if isinstance(child.tag, str)]
    return bool(children) and children[0].tag == tag


def _is_gallery(element: etree._Element) -> bool:
    return len(element.xpath(".//img")) > 1


def _is_http(url: str) -> bool:
    return urlsplit(url).scheme in {"http", "https"}


def _json_attrs(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def sanitize(fragment: str, *, tags: set[str] | None = None) -> str:
    """HTML safe to show readers: allowed tags and attributes only, http(s)/mailto links."""
    return nh3.clean(
        fragment,
        tags=tags or ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "form"},
        attributes={tag: attrs for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )


def plain(fragment: str) -> str:
    """HTML to one line of plain text (excerpts)."""
    return " ".join(html.unescape(nh3.clean(fragment or "", tags=set())).split())


def autop(text: str) -> str:
    """WordPress's automatic paragraphs (wpautop), the part that matters for import: blank
    lines separate paragraphs, a single newline inside one is a line break, and block-level
    markup is left as it is. A bare embeddable URL on a line of its own becomes an embed."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # <pre> keeps its newlines: set them aside while the rest is cut into paragraphs.
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = re.sub(r"<pre\b.*?</pre>", keep, text, flags=re.S | re.I)
    # Block-level tags start and end their own chunks.
    text = re.sub(rf"(<(?:{_BLOCK_TAGS})\b[^>]*>)", r"\n\n\1", text, flags=re.I)
    text = re.sub(rf"(</(?:{_BLOCK_TAGS})>)", r"\1\n\n", text, flags=re.I)
    chunks = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        bare = chunk if "\n" not in chunk and " " not in chunk else ""
        if bare and _is_http(bare) and EMBED_HOSTS.search(urlsplit(bare).hostname or ""):
            chunks.append(f'<x-embed data-url="{html.escape(bare)}"></x-embed>')
        elif _STARTS_WITH_BLOCK.match(chunk) or chunk.startswith("\x00"):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    out = "\n".join(chunks)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], out)
