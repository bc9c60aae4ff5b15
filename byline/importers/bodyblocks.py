"""A post's HTML, parsed, to StreamField blocks: each construct in the block that holds it.

Prose (paragraphs, lists, inline formatting) becomes rich text in the editor's own form
(richtext.py); headings, quotations, images, galleries, embeds, tables, audio, video, files,
preformatted text and footnotes get their own blocks; what none of those can hold (lists of
terms, disclosures, rules, addresses, a table with block content in its cells, a player with
subtitles) goes into a sanitised HTML block, whole, so that opening and saving a post in the
editor loses nothing.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.urls import Resolver404, resolve
from django.utils.text import slugify
from lxml import etree
from wagtail.documents import get_document_model

from byline.blogs.blocks import ANCHOR, CELL_TAGS, MEDIA_URL, sanitize_cell, sanitize_html
from byline.importers.richtext import draftail_html, note_html

if TYPE_CHECKING:
    from byline.importers.convert import Converter, ImageRef

QUOTE_FEATURES = ["bold", "italic", "link"]
PROSE_CHUNK = 20_000
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Structure rich text has no place for: kept whole in an HTML block.
_HTML_BLOCK = {"table", "dl", "details", "hr", "address", "audio", "video", "figure", "object",
               "math", "fieldset", "menu", "summary", "ruby"}  # fmt: skip
# Wrappers whose content is walked as if it stood at the top level (columns, groups, cover).
_FLATTEN = {"div", "section", "article", "main", "header", "footer", "aside", "center", "nav",
            "hgroup", "span", "font"}  # fmt: skip
_DROPPED = {"script", "style", "form", "noscript", "template", "link", "meta", "button", "input",
            "select", "textarea", "embed", "applet", "frameset", "frame"}  # fmt: skip
# Inside a list or paragraph, these mean it is not plain prose.
_COMPLEX = ".//table|.//pre|.//img|.//figure|.//dl|.//details|.//audio|.//video|.//iframe|.//hr"
_BLOCKISH = re.compile(
    r"^(p|ul|ol|li|h[1-6]|blockquote|pre|table|dl|details|hr|address|audio|video|figure|"
    r"iframe|div|section|article|main|header|footer|aside|center|nav|object|x-embed|x-footnotes|"
    r"form|script|style|noscript|math|fieldset|menu|hgroup)$"
)
_SIZES = {"size-thumbnail": "small", "size-medium": "medium", "size-large": "large",
          "size-full": "", "size-post-thumbnail": "medium"}  # fmt: skip
_GALLERY = {"wp-block-gallery", "blocks-gallery-grid", "gallery", "tiled-gallery"}
_ALIGN = re.compile(r"\balign(left|right|center|wide|full)\b")
_LANGUAGE = re.compile(r"(?:\blanguage-|\blang-|brush:\s*)([A-Za-z0-9_+#-]{1,40})")


def _classes(element: etree._Element) -> str:
    return element.get("class", "") or ""


def _text(element: etree._Element) -> str:
    return " ".join(element.text_content().split())


def _markup(element: etree._Element) -> str:
    tail, element.tail = element.tail, None
    try:
        return etree.tostring(element, encoding="unicode", method="html")
    finally:
        element.tail = tail


def _inner(element: etree._Element) -> str:
    return html.escape(element.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in element
    )


def embed_url_of_iframe(src: str) -> str | None:
    """The page address an embed player shows (YouTube, Vimeo…), for the embed block; None
    for a frame from a site that is not an embed provider."""
    from byline.importers.convert import EMBED_HOSTS

    parts = urlsplit(src if not src.startswith("//") else f"https:{src}")
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        return None
    if host.endswith(("youtube.com", "youtube-nocookie.com")):
        match = re.match(r"^/embed/([\w-]{6,})", parts.path)
        if match and match.group(1) != "videoseries":
            return f"https://www.youtube.com/watch?v={match.group(1)}"
        playlist = parse_qs(parts.query).get("list")
        if playlist:
            return f"https://www.youtube.com/playlist?list={playlist[0]}"
    if host == "player.vimeo.com" and (match := re.match(r"^/video/(\d+)", parts.path)):
        return f"https://vimeo.com/{match.group(1)}"
    if EMBED_HOSTS.search(host):
        return parts.geturl()
    return None


class BlockBuilder:
    """Walks the parsed HTML, emitting a block per construct and gathering prose (paragraphs,
    lists and loose inline content) into rich text between them."""

    def __init__(self, converter: Converter, footnotes: dict[str, str]) -> None:
        self.converter = converter
        self.footnotes = footnotes  # WordPress footnote id -> its HTML
        self.footnotes_placed = False
        self.blocks: list[dict] = []
        self.rich: list[str] = []  # block-level prose waiting for the next block
        self.inline: list[str] = []  # loose inline content waiting to become a paragraph
        self.missing_images: list[str] = []

    # -- walking --------------------------------------------------------------------------
    def walk(self, parent: etree._Element) -> None:
        if parent.text and parent.text.strip():
            self.inline.append(html.escape(parent.text, quote=False))
        for element in list(parent):
            tail = element.tail
            if isinstance(element.tag, str):
                self.element(element)
            if tail and tail.strip():
                self.inline.append(html.escape(tail, quote=False))

    def element(self, element: etree._Element) -> None:
        tag = element.tag.lower()
        if not _BLOCKISH.match(tag) and not self._holds_media(element):
            self.inline.append(_markup(element))
            return
        self.end_inline()
        classes = _classes(element)
        if tag == "x-embed":
            self.embed(element.get("data-url", ""), element.get("data-caption", ""))
        elif tag == "x-footnotes":
            self.place_footnotes()
        elif tag == "iframe":
            self.iframe(element)
        elif tag in _HEADINGS:
            self.heading(element, tag)
        elif tag == "blockquote" or (tag == "figure" and element.find("blockquote") is not None):
            self.quotation(element if tag == "blockquote" else element.find("blockquote"))
        elif tag == "pre":
            self.code(element)
        elif tag == "table":
            self.table(element)
        elif tag == "figure" and (table := _sole_child(element, {"table"})) is not None:
            self.table(table, holder=element)
        elif tag in {"audio", "video"}:
            self.media(element)
        elif tag == "figure" and (player := _sole_child(element, {"audio", "video"})) is not None:
            self.media(player, holder=element)
        elif tag == "div" and "wp-block-file" in _classes(element).split():
            self.file(element)
        elif self._is_gallery(element):
            self.gallery(element)
        elif tag == "figure" and "wp-block-embed" in classes:
            wrapper = element.find(".//div")
            url = _text(wrapper if wrapper is not None else element)
            caption = element.find(".//figcaption")
            iframe = element.find(".//iframe")
            if not url and iframe is not None:
                url = embed_url_of_iframe(iframe.get("src", "")) or iframe.get("src", "")
            self.embed(url.split()[0] if url else "", _text(caption) if caption is not None else "")
        elif tag in {"figure", "p", "a", "img"} and self.figure(element):
            pass
        elif tag in {"p", "li"} or (tag in {"ul", "ol"} and not element.xpath(_COMPLEX)):
            if tag == "p" and element.xpath(".//img|.//iframe|.//x-embed|.//audio|.//video"):
                self.split_paragraph(element)
            else:
                self.rich.append(_markup(element) if tag != "li" else f"<p>{_inner(element)}</p>")
        elif tag in _FLATTEN:
            self.walk(element)
        elif tag in _DROPPED:
            self.converter.notes.append(f"<{tag}> left out (not safe to show readers)")
        else:
            self.html(element)

    def _holds_media(self, element: etree._Element) -> bool:
        media = element.xpath(".//img|.//iframe|.//x-embed")
        return element.tag in {"img", "iframe"} or bool(media)

    def split_paragraph(self, paragraph: etree._Element) -> None:
        """A paragraph with images or players in it: the text around each stays a
        paragraph, each image becomes a figure of its own, in the same order."""
        piece = [html.escape(paragraph.text or "", quote=False)]
        for child in list(paragraph):
            tail = html.escape(child.tail or "", quote=False)
            if isinstance(child.tag, str) and child.xpath(
                "self::img|self::iframe|self::x-embed|self::audio|self::video|"
                ".//img|.//iframe|.//x-embed"
            ):
                self.rich.append(f"<p>{''.join(piece)}</p>")
                piece = []
                self.end_inline()
                if child.tag in {"a", "img"} and self.figure(child):
                    pass
                elif child.tag in {"iframe", "x-embed", "audio", "video"}:
                    self.element(child)
                else:  # an image among words inside a link or span: kept as it stands
                    self.html(child, wrap="p")
            elif isinstance(child.tag, str):
                piece.append(_markup(child))
            piece.append(tail)
        self.rich.append(f"<p>{''.join(piece)}</p>")

    # -- blocks -----------------------------------------------------------------------------
    def heading(self, element: etree._Element, tag: str) -> None:
        text = _text(element)
        if not text:
            return
        if tag == "h1":
            # The post's title is the page's one <h1>: a heading in the body starts a section.
            self.converter.notes.append(f'heading "{text[:60]}" (h1) kept as a section (h2)')
        anchor = element.get("id", "")
        for named in element.iter("a"):
            anchor = anchor or named.get("id", "") or named.get("name", "")
        if anchor and not ANCHOR.regex.match(anchor):
            anchor = slugify(anchor)[:100]
        value = {"text": text[:255], "level": "h2" if tag == "h1" else tag, "anchor": anchor}
        self.emit("heading", value)

    def quotation(self, quote: etree._Element) -> None:
        speaker = ""
        for cite in quote.findall(".//cite"):
            speaker = speaker or _text(cite)
            cite.drop_tree()
        text = draftail_html(_inner(quote), QUOTE_FEATURES)
        if not text:
            return
        source = quote.get("cite", "")
        self.emit(
            "quotation",
            {
                "text": text,
                "speaker": speaker[:255],
                "source_title": "",
                "source_url": source if _is_web_address(source) else "",
                "date": None,
                "emphasis_added": False,
            },
        )

    def code(self, pre: etree._Element) -> None:
        for br in pre.iter("br"):
            br.tail = "\n" + (br.tail or "")
        code = pre.text_content().strip("\n").rstrip()
        if not code.strip():
            return
        source = " ".join([_classes(pre)] + [_classes(child) for child in pre.iter("code")])
        match = _LANGUAGE.search(source)
        language = match.group(1).lower() if match else ""
        attribute = (pre.get("lang") or "").strip()
        if not language and re.fullmatch(r"[A-Za-z0-9_+#-]{1,40}", attribute):
            language = attribute.lower()
        self.emit("code", {"language": language[:40], "code": code})

    def table(self, table: etree._Element, *, holder: etree._Element | None = None) -> None:
        """A table whose cells hold words, links and emphasis: a table block; any other
        (block content in a cell, a footer, two header rows) stays HTML, whole."""
        figcaption = holder.find("figcaption") if holder is not None else None
        value = table_value(table, figcaption)
        if value is None:
            self.html(holder if holder is not None else table)
        else:
            self.emit("table", value)

    def media(self, player: etree._Element, *, holder: etree._Element | None = None) -> None:
        """An <audio> or <video> with one file: an audio or video block, playing the
        imported document where the file was imported, from its address otherwise."""
        kind = player.tag
        sources = [source.get("src", "").strip() for source in player.iter("source")]
        src = player.get("src", "").strip()
        caption = holder.find("figcaption") if holder is not None else None
        caption_text = _text(caption) if caption is not None else ""
        if player.find(".//track") is not None or len(sources) > 1 or (src and sources):
            # Subtitles or several files: the player is kept as it was written.
            self.html(holder if holder is not None else player)
            return
        src = src or (sources[0] if sources else "")
        if kind == "video" and src and embed_url_of_iframe(src):
            self.embed(embed_url_of_iframe(src) or src, caption_text)
            return
        document = document_of(src)
        if document is None and not _is_media_address(src):
            if src:
                self.converter.notes.append(
                    f"<{kind}> of {src[:200]!r} is not a web address; the player is kept without it"
                )
            self.html(holder if holder is not None else player)
            return
        value = {
            "document": document,
            "url": "" if document else src,
            "caption": caption_text[:500],
        }
        if kind == "video":
            poster = player.get("poster", "").strip()
            value["poster"] = poster if _is_media_address(poster) else ""
        self.emit(kind, value)

    def file(self, element: etree._Element) -> None:
        """WordPress's file block: a link to the file and a download button, both to it."""
        links = [a for a in element.iter("a") if a.get("href", "").strip()]
        hrefs = {a.get("href").strip() for a in links}
        href = next(iter(hrefs)) if len(hrefs) == 1 else ""
        document = document_of(href)
        if document is None and not _is_media_address(href):
            self.walk(element)
            return
        named = [a for a in links if "wp-block-file__button" not in _classes(a)]
        text = _text(named[0]) if named else ""
        self.emit("file", {"document": document, "url": "" if document else href,
                           "text": text[:255]})  # fmt: skip

    def embed(self, url: str, caption: str = "") -> None:
        url = url.strip()
        if not _is_web_address(url):
            if url:
                self.converter.notes.append(
                    f"embed {url[:200]!r} is not a web address; kept as text"
                )
                self.rich.append(f"<p>{html.escape(url, quote=False)}</p>")
            return
        self.converter.embeds.append(url)
        self.emit("embed", {"url": url, "caption": caption[:500]})

    def iframe(self, element: etree._Element) -> None:
        src = element.get("src", "").strip()
        url = embed_url_of_iframe(src)
        if url:
            self.converter.notes.append(f"<iframe> of {src[:200]} kept as an embed of {url}")
            self.embed(url)
        elif src:
            self.converter.notes.append(
                f"<iframe> of {src[:200]} is not from an embed provider; kept as a link"
            )
            href = html.escape(src, quote=True)
            self.rich.append(f'<p><a href="{href}">{html.escape(src, quote=False)}</a></p>')

    def figure(self, element: etree._Element) -> bool:
        """A lone image, optionally linked and captioned, that is a Wagtail image."""
        images = element.xpath(".//img") if element.tag != "img" else [element]
        if len(images) != 1:
            return False
        if element.tag in {"p", "a"} and "".join(element.itertext()).strip():
            return False
        image = images[0]
        ref = self.find(image)
        if ref is None:
            return False
        caption = element.find(".//figcaption")
        link = next((a.get("href", "") for a in image.iterancestors("a")), "")
        self.emit(
            "figure",
            {
                "image": self.image_value(image, ref),
                "caption": (_text(caption) if caption is not None else "")[:500],
                "credit": "",
                "link": link[:2000] if _is_link(link) else "",
                "alignment": self.alignment(element, image),
                "size": self.size(element, image),
            },
        )
        return True

    def find(self, image: etree._Element) -> ImageRef | None:
        """The imported image for an <img>: its exact file first, then its attachment id
        (wp-image-N), then the file its size variant was made from (photo-300x200.jpg)."""
        src = image.get("data-wp-src") or image.get("src", "")
        find = self.converter.find_image
        ref = find(src, exact=True) if src else None
        if ref is None and (match := re.search(r"wp-image-(\d+)", _classes(image))):
            ref = find(int(match.group(1)))
        if ref is None and image.get("data-id", "").isdigit():
            ref = find(int(image.get("data-id")))
        if ref is None and src:
            ref = find(src)
        if ref is None and src:
            self.missing_images.append(src)
        return ref

    @staticmethod
    def image_value(image: etree._Element, ref: ImageRef) -> dict:
        # alt="" marks a decorative image: it stays empty, never replaced by a title.
        alt = " ".join((image.get("alt") or "").split())
        return {"image": ref.pk, "decorative": not alt, "alt_text": alt[:255]}

    @staticmethod
    def alignment(*elements: etree._Element) -> str:
        for element in elements:
            for candidate in [element, *element.iterancestors("figure", "div", "p")][:2]:
                names = f"{_classes(candidate)} align{candidate.get('data-align', '')}"
                if match := _ALIGN.search(names):
                    return "wide" if match.group(1) == "full" else match.group(1)
        return ""

    @staticmethod
    def size(element: etree._Element, image: etree._Element) -> str:
        for candidate in (image, element):
            for name in _classes(candidate).split():
                if name in _SIZES:
                    return _SIZES[name]
        width = image.get("width", "")
        if width.isdigit():
            pixels = int(width)
            return "small" if pixels <= 200 else "medium" if pixels <= 400 else ""
        return ""

    def _is_gallery(self, element: etree._Element) -> bool:
        return bool(_GALLERY & set(_classes(element).split())) and bool(element.xpath(".//img"))

    def gallery(self, element: etree._Element) -> None:
        items, missing = [], []
        for image in element.xpath(".//img"):
            ref = self.find(image)
            if ref is None:
                missing.append(image)
                continue
            holder = next(image.iterancestors("figure", "li"), None)
            caption = holder.find(".//figcaption") if holder is not None else None
            link = next((a.get("href", "") for a in image.iterancestors("a")), "")
            items.append(
                {
                    "image": self.image_value(image, ref),
                    "caption": (_text(caption) if caption is not None else "")[:500],
                    "link": link[:2000] if _is_link(link) else "",
                }
            )
        if not items:
            self.html(element)
            return
        columns = re.search(r"\bcolumns-(\d)\b", _classes(element))
        own_caption = next(
            (c for c in element.iter("figcaption") if "gallery-caption" in _classes(c)
             or c.getparent() is element), None,
        )  # fmt: skip
        self.emit(
            "gallery",
            {
                "images": items,
                "columns": min(max(int(columns.group(1)), 1), 6) if columns else 3,
                "caption": (_text(own_caption) if own_caption is not None else "")[:500],
            },
        )
        for image in missing:
            self.html(image, wrap="p")

    def html(self, element: etree._Element, *, wrap: str = "") -> None:
        markup = _markup(element)
        if wrap:
            markup = f"<{wrap}>{markup}</{wrap}>"
        cleaned = sanitize_html(markup).strip()
        if cleaned:
            self.emit("html", cleaned)

    def place_footnotes(self) -> None:
        if self.footnotes_placed or not self.footnotes:
            return
        self.footnotes_placed = True
        notes = [
            {"anchor": anchor, "text": note_html(text) or "<p>(empty)</p>"}
            for anchor, text in self.footnotes.items()
        ]
        self.emit("footnotes", {"notes": notes})

    # -- collecting -------------------------------------------------------------------------
    def emit(self, kind: str, value: object) -> None:
        self.flush()
        self.blocks.append({"type": kind, "value": value})

    def end_inline(self) -> None:
        if self.inline:
            text = "".join(self.inline).strip()
            if text:
                self.rich.append(f"<p>{text}</p>")
            self.inline = []

    def flush(self) -> None:
        self.end_inline()
        # Prose runs of more than about PROSE_CHUNK characters are cut into several blocks
        # at paragraph ends: Wagtail's converter takes quadratic time on one long text (a
        # 5 MB post took a minute), and the editor is slow on it too.
        chunk: list[str] = []
        size = 0
        for piece in self.rich:
            chunk.append(piece)
            size += len(piece)
            if size >= PROSE_CHUNK:
                self._paragraph(chunk)
                chunk, size = [], 0
        self._paragraph(chunk)
        self.rich = []

    def _paragraph(self, pieces: list[str]) -> None:
        stored = draftail_html("".join(pieces)) if pieces else ""
        if stored:
            self.blocks.append({"type": "paragraph", "value": stored})

    def finish(self) -> list[dict]:
        self.flush()
        self.place_footnotes()  # footnotes the content never placed go at the end
        # WordPress.com-hosted files not imported are reported with the other such files.
        missing = [src for src in self.missing_images if not _on_wordpress_com(src)]
        if missing:
            unique = list(dict.fromkeys(missing))
            more = f" and {len(unique) - 5} more" if len(unique) > 5 else ""
            shown = ", ".join(unique[:5]) + more
            self.converter.notes.append(
                f"{len(unique)} image(s) not among the imported files, kept at their old "
                f"address: {shown}"
            )
        return self.blocks


def _sole_child(holder: etree._Element, tags: set[str]) -> etree._Element | None:
    """The one element of `tags` a figure holds beside its caption, with no other content."""
    children = [c for c in holder if isinstance(c.tag, str) and c.tag != "figcaption"]
    if len(children) != 1 or children[0].tag not in tags or (holder.text or "").strip():
        return None
    if any((c.tail or "").strip() for c in holder if isinstance(c.tag, str)):
        return None
    return children[0]


_HEADER_CHOICE = {(True, True): "both", (True, False): "row", (False, True): "column",
                  (False, False): "neither"}  # fmt: skip
MAX_TABLE_CELLS = 20_000


def table_value(table: etree._Element, caption: etree._Element | None = None) -> dict | None:
    """The table block's value (Wagtail's TableBlock: the cells' grid, merged cells, header
    row and column, caption) for an HTML table, or None if the block cannot hold it all."""
    own_caption = table.find("caption")
    if own_caption is not None and caption is not None:
        return None
    caption = caption if caption is not None else own_caption
    if caption is not None and caption.xpath(".//a|.//img"):
        return None  # the caption is plain text in the block
    if table.xpath(".//table|./tfoot") or len(table.xpath("./thead/tr")) > 1:
        return None
    rows = table.xpath("./tr|./thead/tr|./tbody/tr")
    if not rows:
        return None
    cells: dict[tuple[int, int], str] = {}
    headers: set[tuple[int, int]] = set()
    taken: set[tuple[int, int]] = set()
    merges = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            if not isinstance(cell.tag, str):
                continue
            if cell.tag not in {"td", "th"}:
                return None
            if any(
                isinstance(d.tag, str) and d.tag not in CELL_TAGS for d in cell.iterdescendants()
            ):
                return None
            while (r, c) in taken:
                c += 1
            rowspan, colspan = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            rowspan = min(rowspan, len(rows) - r)
            cells[(r, c)] = " ".join(sanitize_cell(_inner(cell)).split())
            if cell.tag == "th":
                headers.add((r, c))
            taken |= {(y, x) for y in range(r, r + rowspan) for x in range(c, c + colspan)}
            if rowspan > 1 or colspan > 1:
                merges.append({"row": r, "col": c, "rowspan": rowspan, "colspan": colspan})
            c += colspan
            if len(taken) > MAX_TABLE_CELLS:
                return None
    if not cells:
        return None
    width = max(x for _, x in taken) + 1
    if width * len(rows) > MAX_TABLE_CELLS:
        return None
    first_row = [(0, x) for x in range(width) if (0, x) in cells]
    header_row = bool(table.xpath("./thead/tr")) or (
        len(rows) > 1 and all(place in headers for place in first_row)
    )
    body = [(y, 0) for y in range(1 if header_row else 0, len(rows)) if (y, 0) in cells]
    header_col = bool(body) and all(place in headers for place in body)
    allowed = set(first_row if header_row else []) | set(body if header_col else [])
    if headers - allowed:
        return None  # header cells where the block cannot put them
    return {
        "data": [[cells.get((y, x), "") for x in range(width)] for y in range(len(rows))],
        "cell": [],
        "mergeCells": merges,
        "first_row_is_table_header": header_row,
        "first_col_is_header": header_col,
        "table_header_choice": _HEADER_CHOICE[(header_row, header_col)],
        "table_caption": (_text(caption) if caption is not None else "")[:500],
    }


def _span(value: str | None) -> int:
    # Browsers read colspan up to 1000 and rowspan up to 65534; a table that size is not
    # one an editor would fill in, and MAX_TABLE_CELLS stops it.
    return min(max(int(value), 1), 1000) if (value or "").strip().isdigit() else 1


def document_of(url: str) -> int | None:
    """The id of the Wagtail document an address in content serves (an imported file's new
    address is its document's, /documents/<id>/<name>), or None."""
    parts = urlsplit(url or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name != "wagtaildocs_serve" or not match.args:
        return None
    pk = int(match.args[0])
    return pk if get_document_model().objects.filter(pk=pk).exists() else None


def _is_media_address(url: str) -> bool:
    """An address the media blocks take: a web address the editor accepts, or this site's."""
    try:
        MEDIA_URL(url)
    except ValidationError:
        return False
    return url.startswith("/") or _is_web_address(url)


def _on_wordpress_com(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower().endswith((".files.wordpress.com", ".wp.com"))


_URL = URLValidator(schemes=["http", "https"])


def _is_web_address(url: str) -> bool:
    """An address the editor's URL fields accept (Django's URLValidator), so that a save
    through the editor does not stop on it."""
    try:
        _URL(url)
    except ValidationError:
        return False
    return True


def _is_link(url: str) -> bool:
    return bool(re.match(r"^(https?://|mailto:|/|#)\S*$", url or ""))
