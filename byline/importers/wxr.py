"""A streaming, hostile-input-safe reader of WordPress eXtended RSS (WXR 1.0, 1.1, 1.2)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

# WXR has been written with both spellings of the namespace (http:// before WordPress 4.x,
# https:// since) and with versions 1.0, 1.1 and 1.2; WordPress.com adds nothing of its own.
_WP_NS = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/$")
_EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/excerpt/$")
_ANY_WXR_NS = re.compile(r"^https?://wordpress\.org/export/([^/]+)/$")
# The XML declaration's encoding, read from the first bytes (after a UTF-8 byte order mark).
_DECLARED_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']"""
)
# How much of a file's end, past trailing whitespace, is searched for its closing </rss> (a
# comment may follow it); sixteen times as much is read, for the whitespace.
_TAIL = 4096
_KNOWN_NS = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
    "": "",
}


class WXRError(Exception):
    """The file cannot be imported at all; the message says what and where."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    description: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""
    # What the reader had to decide about the file as a whole, for the import's report.
    notes: list[str] = field(default_factory=list)


@dataclass
class WPAuthor:
    login: str
    author_id: int = 0
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    # Co-Authors Plus guest authors only (a WordPress user's profile is not exported):
    website: str = ""
    bio: str = ""
    linked_account: str = ""  # the login of the WordPress user the guest author is


@dataclass
class WPTerm:
    taxonomy: str  # "category", "post_tag", or "author" (Co-Authors Plus); others are skipped
    slug: str
    name: str
    parent: str = ""
    description: str = ""
    term_id: int = 0  # what /?cat=ID asks for


@dataclass
class WPComment:
    wp_id: int
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = "1"
    type: str = ""
    parent: int = 0
    user_id: int = 0


@dataclass
class WPItem:
    line: int
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    wp_id: int = 0
    post_date: str = ""
    post_date_gmt: str = ""
    comment_status: str = "open"
    post_name: str = ""
    status: str = ""
    post_parent: int = 0
    menu_order: int = 0
    post_type: str = ""
    post_password: str = ""
    is_sticky: bool = False
    attachment_url: str = ""
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # (taxonomy, slug, name)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WPComment] = field(default_factory=list)


def _local(element: etree._Element, cache: dict[str, str]) -> str:
    """'wp:post_id' style name for an element whatever spelling its namespace uses."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    name = cache.get(tag)
    if name is None:
        qname = etree.QName(tag)
        uri = qname.namespace or ""
        if _WP_NS.match(uri):
            prefix = "wp"
        elif _EXCERPT_NS.match(uri):
            prefix = "excerpt"
        else:
            prefix = _KNOWN_NS.get(uri, "other")
        name = f"{prefix}:{qname.localname}" if prefix else qname.localname
        cache[tag] = name
    return name


def _text(element: etree._Element) -> str:
    return (element.text or "").strip() if len(element) == 0 else "".join(element.itertext())


def _int(value: str) -> int:
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else 0


_ITEM_FIELDS = {
    "title": "title",
    "link": "link",
    "guid": "guid",
    "dc:creator": "creator",
    "content:encoded": "content",
    "excerpt:encoded": "excerpt",
    "wp:post_date": "post_date",
    "wp:post_date_gmt": "post_date_gmt",
    "wp:comment_status": "comment_status",
    "wp:post_name": "post_name",
    "wp:status": "status",
    "wp:post_type": "post_type",
    "wp:post_password": "post_password",
    "wp:attachment_url": "attachment_url",
}
_INT_FIELDS = {
    "wp:post_id": "wp_id",
    "wp:post_parent": "post_parent",
    "wp:menu_order": "menu_order",
}
_COMMENT_FIELDS = {
    "wp:comment_author": "author",
    "wp:comment_author_email": "author_email",
    "wp:comment_author_url": "author_url",
    "wp:comment_author_IP": "author_ip",
    "wp:comment_date": "date",
    "wp:comment_date_gmt": "date_gmt",
    "wp:comment_content": "content",
    "wp:comment_approved": "approved",
    "wp:comment_type": "type",
}


def _item(element: etree._Element, names: dict[str, str]) -> WPItem:
    item = WPItem(line=element.sourceline or 0)
    for child in element:
        name = _local(child, names)
        if name in _ITEM_FIELDS:
            # content is kept as written; the other fields are single-line values.
            raw = child.text or ""
            setattr(item, _ITEM_FIELDS[name], raw if name.endswith(":encoded") else raw.strip())
        elif name in _INT_FIELDS:
            setattr(item, _INT_FIELDS[name], _int(child.text or ""))
        elif name == "wp:is_sticky":
            item.is_sticky = (child.text or "").strip() == "1"
        elif name == "category":
            taxonomy = child.get("domain") or "category"
            label = (child.text or "").strip()
            item.terms.append((taxonomy, (child.get("nicename") or "").strip(), label))
        elif name == "wp:postmeta":
            key = value = ""
            for part in child:
                part_name = _local(part, names)
                if part_name == "wp:meta_key":
                    key = (part.text or "").strip()
                elif part_name == "wp:meta_value":
                    value = part.text or ""
            if key:
                item.meta[key] = value
        elif name == "wp:comment":
            comment = WPComment(wp_id=0)
            for part in child:
                part_name = _local(part, names)
                if part_name == "wp:comment_id":
                    comment.wp_id = _int(part.text or "")
                elif part_name == "wp:comment_parent":
                    comment.parent = _int(part.text or "")
                elif part_name == "wp:comment_user_id":
                    comment.user_id = _int(part.text or "")
                elif part_name in _COMMENT_FIELDS:
                    raw = part.text or ""
                    value = raw if part_name == "wp:comment_content" else raw.strip()
                    setattr(comment, _COMMENT_FIELDS[part_name], value)
            item.comments.append(comment)
    # Hand-edited exports carry stray brackets (">login"); a login never has them.
    item.creator = item.creator.strip("<> \t\n")
    return item


def _author(element: etree._Element, names: dict[str, str]) -> WPAuthor:
    values = {_local(child, names): (child.text or "").strip() for child in element}
    return WPAuthor(
        login=values.get("wp:author_login", ""),
        author_id=_int(values.get("wp:author_id", "")),
        email=values.get("wp:author_email", ""),
        display_name=values.get("wp:author_display_name", ""),
        first_name=values.get("wp:author_first_name", ""),
        last_name=values.get("wp:author_last_name", ""),
    )


def _term(element: etree._Element, names: dict[str, str], kind: str) -> WPTerm:
    values = {_local(child, names): (child.text or "").strip() for child in element}
    term_id = _int(values.get("wp:term_id", ""))
    if kind == "wp:category":
        return WPTerm(
            taxonomy="category",
            slug=values.get("wp:category_nicename", ""),
            name=values.get("wp:cat_name", ""),
            parent=values.get("wp:category_parent", ""),
            description=values.get("wp:category_description", ""),
            term_id=term_id,
        )
    if kind == "wp:tag":
        return WPTerm(
            taxonomy="post_tag",
            slug=values.get("wp:tag_slug", ""),
            name=values.get("wp:tag_name", ""),
            description=values.get("wp:tag_description", ""),
            term_id=term_id,
        )
    return WPTerm(
        taxonomy=values.get("wp:term_taxonomy", ""),
        slug=values.get("wp:term_slug", ""),
        name=values.get("wp:term_name", ""),
        parent=values.get("wp:term_parent", ""),
        description=values.get("wp:term_description", ""),
        term_id=term_id,
    )


Record = Channel | WPAuthor | WPTerm | WPItem


def read_wxr(source: str | IO[bytes]) -> Iterator[Record]:
    """Yield the channel (once, before the first author, term or item), then each author,
    term and item as it is read, keeping only the current one in memory.

    The parser never fetches anything: no network, no DTD, no entity resolution; a file
    with a DOCTYPE is refused outright, since WXR never has one and a DOCTYPE is how
    XXE and entity-expansion ("billion laughs") payloads arrive.
    """
    channel = Channel()
    # Read as what the bytes are: the declaration would turn every accented letter into two
    # (Café as CafÃ©) in every post, silently.
    mislabelled = _mislabelled_utf8(source)
    parser_events = etree.iterparse(
        source,
        events=("start", "end"),
        encoding="utf-8" if mislabelled else None,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    names: dict[str, str] = {}
    if mislabelled:
        channel.notes.append(
            f"the file declares the encoding {mislabelled!r}, but its text is UTF-8 (as "
            "WordPress writes it): it was read as UTF-8"
        )
    channel_sent = False
    depth = 0
    saw_wp = False
    try:
        for event, element in parser_events:
            if event == "start":
                depth += 1
                if depth == 1:
                    docinfo = element.getroottree().docinfo
                    if docinfo.doctype or docinfo.internalDTD is not None:
                        raise WXRError(
                            "the file has a DOCTYPE; WordPress exports never do, and it may "
                            "hide entity tricks, so it is refused",
                            line=element.sourceline,
                        )
                    if _local(element, names) != "rss":
                        raise WXRError(
                            f"this is not a WordPress export: its root element is "
                            f"<{etree.QName(element.tag).localname}>, not <rss>",
                            line=element.sourceline,
                        )
                    saw_wp = any(_WP_NS.match(uri or "") for uri in element.nsmap.values())
                    versions = sorted(
                        match.group(1)
                        for uri in element.nsmap.values()
                        if (match := _ANY_WXR_NS.match(uri or ""))
                    )
                    if not saw_wp and versions:
                        raise WXRError(
                            f"this WordPress export is in WXR version {versions[0]}, which "
                            "Byline does not know: it reads versions 1.0, 1.1 and 1.2",
                            line=element.sourceline,
                        )
                    if not saw_wp:
                        raise WXRError(
                            "this is an RSS feed, not a WordPress export: it does not declare "
                            "the WXR namespace (wordpress.org/export/1.x/)",
                            line=element.sourceline,
                        )
                continue
            depth -= 1
            name = _local(element, names)
            if depth == 2 and name in {"title", "link", "description"}:
                setattr(channel, name, (element.text or "").strip())
            elif depth == 2 and name in {"wp:base_site_url", "wp:base_blog_url", "wp:wxr_version"}:
                setattr(channel, name[3:], (element.text or "").strip())
            elif depth == 2 and name in {"wp:author", "wp:category", "wp:tag", "wp:term", "item"}:
                if not channel_sent:
                    channel_sent = True
                    yield channel
                if name == "item":
                    yield _item(element, names)
                elif name == "wp:author":
                    yield _author(element, names)
                else:
                    yield _term(element, names, name)
                # Streaming: drop what has been read so memory stays flat.
                element.clear()
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else None
        message = str(error.msg or error)
        if "Extra content at the end" in message:
            message = (
                "something follows the closing </rss> (a PHP warning printed into the "
                f"export, or a second file pasted after it): remove it ({message})"
            )
        elif _cut_short(source):
            # Before the encoding: a file cut inside a letter of several bytes ends in half of
            # one. libxml2 names what it was reading when the bytes ran out ("Comment not
            # terminated", "Unescaped '<'", …), which does not say the file is incomplete.
            message = (
                f"the file ends too early, without its closing </rss>: it is truncated "
                f"(an interrupted download or export?) ({message})"
            )
        elif "encoding" in message.lower() or "utf-8" in message.lower():
            message = f"the text is not in the encoding the file declares ({message})"
        elif any(hint in message for hint in ("Premature end", "EndTag", "find end")):
            message = f"the file ends too early: it is truncated ({message})"
        raise WXRError(f"not well-formed XML: {message}", line=line) from error
    if not channel_sent:
        yield channel


def _head_and_tail(source: str | IO[bytes], size: int) -> tuple[bytes, bytes] | None:
    """The first and last `size` bytes of a file given by path or as a seekable binary
    file (left where it was); None for anything else."""
    try:
        if isinstance(source, str):
            with open(source, "rb") as whole:
                return _head_and_tail(whole, size)
        where = source.tell()
        try:
            source.seek(0)
            head = source.read(size)
            source.seek(0, 2)
            end = source.tell()
            source.seek(max(0, end - size))
            return head, source.read(size)
        finally:
            source.seek(where)
    except (OSError, AttributeError, ValueError):
        return None


def _cut_short(source: str | IO[bytes]) -> bool:
    """True when the file does not end with its root's closing tag (a truncated file), after
    whatever whitespace follows it."""
    ends = _head_and_tail(source, 16 * _TAIL)
    return ends is not None and b"</rss>" not in ends[1].rstrip()[-_TAIL:]


def _mislabelled_utf8(source: str | IO[bytes]) -> str | None:
    """The encoding the file declares when it is not UTF-8 but the bytes are: text other
    than ASCII that decodes as UTF-8 is, in practice, never Latin-1 or Windows-1252."""
    ends = _head_and_tail(source, 512)
    match = _DECLARED_ENCODING.match(ends[0]) if ends else None
    if match is None:
        return None
    declared = match.group(1).decode("ascii", "replace")
    if declared.lower().replace("_", "-") in {"utf-8", "utf8"} or declared.lower().startswith(
        ("utf-16", "utf-32", "ucs")
    ):
        return None
    try:
        if isinstance(source, str):
            with open(source, "rb") as whole:
                return declared if _utf8_beyond_ascii(whole) else None
        where = source.tell()
        try:
            return declared if _utf8_beyond_ascii(source) else None
        finally:
            source.seek(where)
    except (OSError, AttributeError, ValueError):
        return None


def _utf8_beyond_ascii(source: IO[bytes]) -> bool:
    """Whether the whole file decodes as UTF-8 and holds something other than ASCII (read a
    megabyte at a time: an export may be larger than the memory to spare)."""
    source.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    beyond = False
    while chunk := source.read(1 << 20):
        decoder.decode(chunk)  # UnicodeDecodeError (a ValueError) if it is not UTF-8
        beyond = beyond or not chunk.isascii()
    decoder.decode(b"", final=True)
    return beyond
