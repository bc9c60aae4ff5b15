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

from byline.importers.bodyblocks import BlockBuilder
from byline.importers.richtext import draftail_html, stable_block_keys

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
    "object|embed|script|source|x-footnotes"
)
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
    """A Wagtail image the content can point at, and the address of its file."""

    pk: int
    alt: str = ""
    url: str = ""
    caption: str = ""  # plain text: a post's lead image takes it as its caption


@dataclass
class Converter:
    """Turns one post's content into StreamField raw data.

    `rewrite_url` maps an old-site URL to its new home (or returns it unchanged);
    `find_image(key, exact=False)` finds the Wagtail image imported for an uploads URL
    (`exact`: that very file, not the one a size variant was made from) or attachment id.
    """

    rewrite_url: Callable[[str], str] = lambda url: url
    find_image: Callable[..., ImageRef | None] = lambda key, exact=False: None
    attachment_url: Callable[[int], str | None] = lambda pk: None
    # The post's own attached files, for a [gallery] that names no ids.
    own_attachments: list[int] = field(default_factory=list)
    # Block-editor footnotes (the post's "footnotes" meta, JSON: [{"id", "content"}]).
    footnotes: str = ""
    notes: list[str] = field(default_factory=list)
    embeds: list[str] = field(default_factory=list)  # the URL of every embed block made

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
            if block["type"] in {"paragraph", "quotation", "footnotes"}:
                block["value"] = _with_stable_keys(block["value"], block["id"])
        return blocks

    # -- block editor -------------------------------------------------------------------
    def _from_blocks(self, content: str) -> str:
        """Block-editor markup to HTML: block delimiters dropped, embeds and footnotes
        marked, the freeform ("classic") parts between blocks run through autop as
        WordPress does."""
        out: list[str] = []
        depth = 0
        position = 0
        for match in _BLOCK_COMMENT.finditer(content):
            if match.start() < position:
                continue  # inside an embed already taken whole
            between = content[position : match.start()]
            out.append(between if depth else autop(self._shortcodes(between)))
            position = match.end()
            name = match.group("name")
            if match.group("close"):
                depth = max(depth - 1, 0)
                continue
            attrs = _json_attrs(match.group("attrs"))
            if name in {"footnotes", "core/footnotes"}:
                out.append("<x-footnotes></x-footnotes>")
            is_embed = name in {"embed", "core-embed"} or name.startswith(("core-embed/", "embed"))
            if is_embed and (attrs.get("url") or not match.group("void")):
                # The block's own HTML (a figure around the URL) adds only its caption.
                end = content.find("<!-- /wp:", match.end())
                close = _BLOCK_COMMENT.match(content, end) if end != -1 else None
                inner = content[match.end() : end] if close else ""
                url = str(attrs.get("url") or _strip_tags(inner).split(" ")[0]).strip()
                caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", inner, re.S)
                caption_text = _strip_tags(caption.group(1)) if caption else ""
                out.append(
                    f'<x-embed data-url="{html.escape(url)}" '
                    f'data-caption="{html.escape(caption_text)}"></x-embed>'
                )
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
            align = html.escape(attrs.get("align", ""))
            return f'<figure class="{align}">{image}<figcaption>{text}</figcaption></figure>'
        if name == "gallery":
            ids = [int(pk) for pk in re.findall(r"\d+", attrs.get("ids", attrs.get("include", "")))]
            ids = ids or self.own_attachments
            columns = attrs.get("columns", "3")
            columns = columns if columns.isdigit() else "3"
            figures = []
            for pk in ids:
                url = self.attachment_url(pk)
                if url:
                    src = html.escape(url)
                    image = f'<img src="{src}" class="wp-image-{pk}" alt="">'
                    if attrs.get("link") == "file":
                        image = f'<a href="{src}">{image}</a>'
                    figures.append(f"<figure>{image}</figure>")
            if not figures:
                return ""
            return f'<figure class="wp-block-gallery columns-{columns}">{"".join(figures)}</figure>'
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
            poster = attrs.get("poster", "") if name == "video" else ""
            poster = f' poster="{html.escape(poster)}"' if poster else ""
            src = html.escape(src)
            return f'<{name} controls src="{src}"{poster}><a href="{src}">{src}</a></{name}>'
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
            text = draftail_html(f"<p>{html.escape(source)}</p>")
            return [{"type": "paragraph", "value": text}] if text else []
        footnotes = self._footnotes()
        for element in root.iter("a", "img", "source", "audio", "video", "track"):
            if element.tag == "img" and element.get("src"):
                # The file as the post named it, to find its image by exact path first.
                element.set("data-wp-src", element.get("src").strip())
            for attribute in ("href", "src", "poster"):
                value = element.get(attribute)
                if not value:
                    continue
                if attribute == "href" and value.startswith("#") and value[1:] in footnotes:
                    element.set("href", f"#fn-{value[1:]}")
                else:
                    element.set(attribute, self.rewrite_url(value.strip()))
        builder = BlockBuilder(self, footnotes)
        builder.walk(root)
        return builder.finish()

    def _footnotes(self) -> dict[str, str]:
        """WordPress footnote id -> its HTML, from the post's "footnotes" meta."""
        try:
            notes = json.loads(self.footnotes) if self.footnotes.strip() else []
        except ValueError:
            self.notes.append("the footnotes could not be read (not JSON); left out")
            return {}
        found: dict[str, str] = {}
        for note in notes if isinstance(notes, list) else []:
            if isinstance(note, dict) and re.fullmatch(
                r"[A-Za-z0-9][A-Za-z0-9_-]{0,89}", str(note.get("id"))
            ):
                found[str(note["id"])] = str(note.get("content") or "")
        return found


def _with_stable_keys(value, seed: str):
    """The block's value with every rich text's paragraph keys made from `seed`."""
    if isinstance(value, str):
        return stable_block_keys(value, seed)
    if isinstance(value, dict):
        return {k: _with_stable_keys(v, f"{seed}/{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_with_stable_keys(v, f"{seed}/{n}") for n, v in enumerate(value)]
    return value


def _strip_tags(fragment: str) -> str:
    return " ".join(html.unescape(nh3.clean(fragment or "", tags=set())).split())


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
