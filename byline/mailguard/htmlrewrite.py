"""The HTML side of protection: a small tokenizer that knows where each address sits."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from byline.mailguard.addresses import (
    Contact,
    Found,
    apply_edits,
    label_for,
    lookup,
    mailto_uri,
    stripped,
    xor_hex,
)


def protected_element(
    address: str,
    contact: Contact | None,
    *,
    key: int,
    in_link: bool = False,
    label: str | None = None,
) -> str:
    """The markup that stands for `address` in a page's text: a link to the contact page
    labelled "e-mail <name>" (or `label`, for a sentence written around it) that mailguard.js
    turns into a mailto: link; inside another link (links do not nest), a span whose label
    the script replaces with the address."""
    payload = xor_hex(mailto_uri(address), key)
    label = html.escape(label_for(contact) if label is None else label)
    if in_link:
        return f'<span class="mailguard" data-mailguard="{payload}">{label}</span>'
    href = f' href="{html.escape(contact.path)}"' if contact and contact.path else ""
    return f'<a class="mailguard"{href} data-mailguard="{payload}" data-mailguard-text>{label}</a>'


_MARKUP_START = re.compile(r"<(?:!--|!|\?|/|[A-Za-z])")
_NAME = re.compile(r"[^\s/>]*")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=][^\s/>=]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?""")
_BETWEEN = re.compile(r"[\s/]*")
# The end of an ordinary start tag, quoted values and all, in one step (possessive: no
# backtracking). Anything unusual (a "<" or a stray quote inside) fails to match and goes
# through _parse_tag, which follows the HTML standard's attribute states.
_TAG_END = re.compile(r"""(?:[^<>"']++|"[^"<]*+"|'[^'<]*+')*+>""")
# Elements whose content is not markup (HTML's raw text and escapable raw text elements).
_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "plaintext"})
_RCDATA = frozenset({"textarea", "title"})
_URL_ATTRIBUTES = frozenset(
    [
        "href",
        "src",
        "action",
        "formaction",
        "cite",
        "poster",
        "data",
        "srcset",
        "imagesrcset",
        "background",
        "longdesc",
        "ping",
        "manifest",
        "codebase",
        "icon",
        "usemap",
        "itemid",
        "itemtype",
        "xlink:href",
    ]
)
_CONTROL_OR_SPACE = "".join(chr(code) for code in range(0x21))
# A stretch of markup the walk in run() can take in one step: text, a "<" that starts no
# markup, end tags, and start tags that _TAG_END closes, but not those of an element whose
# content is raw text. Matched with the next address's start as the end of the string, so it
# stops before any token that holds an address; what it stops at goes through the walk token
# by token. The last <a> and </a> it passes (groups keep their last match) tell whether the
# address is inside a link. On a page of 1,000 comments (30,000 tags) walking every token
# cost 40-100 ms of CPU, this a few (bench/bad_input.py). Names are matched ignoring case,
# which may stop it early (Python's IGNORECASE folds "ſ" onto "s"), never too late; a "<" is
# text only with its next character in view, as the address may start right after it. The
# outer repeat is not possessive: with groups inside, Python 3.11 raised a SystemError ("the
# span of capturing group is wrong"); nothing follows it, so it never backtracks anyway.
_RAW_START = "|".join(sorted(_RAW_TEXT | _RCDATA))
_PLAIN_RUN = re.compile(
    r"""(?:
        [^<]++
      | <(?=[^A-Za-z!?/])
      | (?P<close></[aA](?=[\s/>])[^>]*+>)
      | </[A-Za-z][^>]*+>
      | (?P<open><[aA](?=[\s/>])(?:[^<>"']++|"[^"<]*+"|'[^'<]*+')*+>)
      | <(?!(?i:a|"""
    + _RAW_START
    + r""")[\s/>])[A-Za-z][^\s/>]*+(?:[^<>"']++|"[^"<]*+"|'[^'<]*+')*+>
    )*""",
    re.VERBOSE,
)
_CLOSING: dict[str, re.Pattern[str]] = {}


@dataclass(frozen=True)
class _Attribute:
    name: str  # lower case
    start: int
    value_start: int  # the value as written, quotes included; == end when there is none
    end: int
    quoted: bool

    def raw_value(self, source: str) -> str:
        value = source[self.value_start : self.end]
        return value[1:-1] if self.quoted else value

    def inner_start(self) -> int:
        return self.value_start + 1 if self.quoted else self.value_start


@dataclass(frozen=True)
class _Tag:
    name: str  # lower case
    start: int
    name_end: int
    attributes: tuple[_Attribute, ...]
    tail_start: int  # after the last attribute
    end: int  # after ">" (or the end of the source, for a tag left open)


def _parse_tag(source: str, start: int) -> _Tag:
    name_end = _NAME.match(source, start + 1).end()
    attributes: list[_Attribute] = []
    position = tail_start = name_end
    while True:
        position = _BETWEEN.match(source, position).end()
        if position >= len(source) or source[position] == ">":
            end = min(position + 1, len(source))
            name = source[start + 1 : name_end].lower()
            return _Tag(name, start, name_end, tuple(attributes), tail_start, end)
        match = _ATTRIBUTE.match(source, position)
        if match is None:  # a stray quote or "=": browsers fold it into a name; skip it
            position += 1
            continue
        value = match.group(2)
        attributes.append(
            _Attribute(
                name=match.group(1).lower(),
                start=match.start(),
                value_start=match.start(2) if value is not None else match.end(),
                end=match.end(),
                quoted=bool(value) and value[0] in "\"'" and len(value) > 1,
            )
        )
        position = tail_start = match.end()


# A fediverse account handle ("@user@instance") is shaped like an address but names no
# mailbox; Mastodon reads it from <meta name="fediverse:creator"> to credit a post's author.
_HANDLE = re.compile(r"@[^@\s\"'<>]+@[^@\s\"'<>]+")


def _fediverse_handle(tag: _Tag, source: str) -> _Attribute | None:
    """The content attribute of <meta name="fediverse:creator" content="@user@instance">."""
    if tag.name != "meta":
        return None
    attributes = {attribute.name: attribute for attribute in tag.attributes}
    name, content = attributes.get("name"), attributes.get("content")
    if name is None or content is None or name.raw_value(source) != "fediverse:creator":
        return None
    return content if _HANDLE.fullmatch(content.raw_value(source)) else None


def _closing(source: str, name: str, start: int) -> int:
    """Where the raw content of a <name> element that starts at `start` ends."""
    if name == "plaintext":
        return len(source)
    pattern = _CLOSING.get(name)
    if pattern is None:
        pattern = _CLOSING[name] = re.compile(rf"</{name}(?=[\s/>]|$)", re.IGNORECASE)
    match = pattern.search(source, start)
    return match.start() if match else len(source)


def _mailto_target(raw_value: str) -> str | None:
    """The URI of an href as a browser reads it, if it is a mailto: one."""
    value = html.unescape(raw_value)
    # Browsers drop tabs and newlines anywhere in a URL, and C0 controls and spaces around it.
    value = value.replace("\t", "").replace("\n", "").replace("\r", "").strip(_CONTROL_OR_SPACE)
    return value if value[:7].lower() == "mailto:" else None


def _quoted(raw_value: str) -> str:
    return '"' + raw_value.replace('"', "&quot;") + '"'


class HtmlRewriter:
    """One pass over an HTML document, from the top to its last address.

    A small tokenizer after the HTML standard's: text, comments, start and end tags with their
    attributes, and the raw content of script, style, textarea and title. It tracks only what
    decides how an address is replaced: which attribute, which raw element, and whether we are
    inside a link (a link must not be nested in another).
    """

    def __init__(
        self,
        source: str,
        found: list[Found],
        directory: Mapping[str, Contact],
        key: int,
        *,
        skip_plain: bool = True,
    ):
        self.source = source
        # False walks every token (tests compare the two ways).
        self.skip_plain = skip_plain
        self.found = found
        self.directory = directory
        self.key = key
        self.index = 0  # the next address in `found`
        self.edits: list[tuple[int, int, str]] = []

    def run(self) -> str:
        source = self.source
        position = 0
        in_link = False
        while self.index < len(self.found):
            if self.skip_plain:
                run = _PLAIN_RUN.match(source, position, self.found[self.index].start)
                opened, closed = run.start("open"), run.start("close")  # -1: none passed
                if opened != closed:
                    in_link = opened > closed
                position = run.end()
            match = _MARKUP_START.search(source, position)
            token_start = match.start() if match else len(source)
            self._text(token_start, in_link=in_link)
            # The text before this token may have held the last address: the token is then
            # nothing to us (a start tag looked at the next address, and there was none).
            if match is None or self.index == len(self.found):
                break
            lead = match.group()
            is_end_tag = lead == "</" and source[match.end() : match.end() + 1].isalpha()
            if lead == "<!--":
                close = source.find("-->", match.end())
                end = len(source) if close == -1 else close + 3
                self._strip(end)
            elif lead in ("<!", "<?", "</") and not is_end_tag:
                terminator = "]]>" if source.startswith("<![CDATA[", token_start) else ">"
                close = source.find(terminator, match.end())
                end = len(source) if close == -1 else close + len(terminator)
                self._strip(end)
            elif is_end_tag:
                close = source.find(">", match.end())
                end = len(source) if close == -1 else close + 1
                if _NAME.match(source, match.end()).group().lower() == "a":
                    in_link = False
                self._strip(end)
            else:
                name_end = _NAME.match(source, token_start + 1).end()
                name = source[token_start + 1 : name_end].lower()
                quick = _TAG_END.match(source, name_end)
                if quick is not None and self.found[self.index].start >= quick.end():
                    end = quick.end()  # no address in this tag: its attributes do not matter
                else:
                    tag = _parse_tag(source, token_start)
                    self._start_tag(tag)
                    end = tag.end
                if name == "a":
                    in_link = True
                if name in _RAW_TEXT or name in _RCDATA:
                    end = _closing(source, name, end)
                    self._raw(name, end)
            position = end
        return apply_edits(source, self.edits)

    # Each handler takes the addresses that start before `end`, the end of its token.

    def _take(self, end: int) -> list[tuple[Found, Contact | None]]:
        taken = []
        while self.index < len(self.found) and self.found[self.index].start < end:
            found = self.found[self.index]
            self.index += 1
            contact = lookup(self.directory, found.address)
            if contact is None or not contact.public:
                taken.append((found, contact))
        return taken

    def _text(self, end: int, *, in_link: bool) -> None:
        for found, contact in self._take(end):
            element = protected_element(found.address, contact, key=self.key, in_link=in_link)
            self.edits.append((found.start, min(found.end, end), element))

    def _strip(self, end: int) -> None:
        for found, contact in self._take(end):
            self.edits.append(stripped(found, contact))

    def _raw(self, name: str, end: int) -> None:
        if name not in _RCDATA:  # script, style: code, where only a URL or nothing fits
            self._strip(end)
            return
        for found, contact in self._take(end):
            if name == "textarea" and contact is None:
                continue  # a reader's own address, sent back to them with their form
            self.edits.append((found.start, found.end, html.escape(label_for(contact))))

    def _start_tag(self, tag: _Tag) -> None:
        taken = self._take(tag.end)
        if handle := _fediverse_handle(tag, self.source):
            taken = [item for item in taken if not handle.value_start <= item[0].start < handle.end]
        if not taken:
            return
        by_attribute: dict[_Attribute, list[tuple[Found, Contact | None]]] = {}
        for found, contact in taken:
            owner = next((a for a in tag.attributes if a.value_start <= found.start < a.end), None)
            if owner is None:  # in a tag or attribute name: nothing a reader needs
                self.edits.append((found.start, found.end, ""))
            else:
                by_attribute.setdefault(owner, []).append((found, contact))
        values: dict[_Attribute, str] = {}
        mailto: tuple[_Attribute, str, Contact | None] | None = None
        for attribute, items in by_attribute.items():
            raw = attribute.raw_value(self.source)
            target = _mailto_target(raw) if attribute.name == "href" else None
            if target is not None and tag.name in ("a", "area"):
                author = next((contact for _, contact in items if contact is not None), None)
                mailto = (attribute, target, author)
                continue
            values[attribute] = self._attribute_value(tag, attribute, raw, items)
        if mailto is None:
            for attribute, value in values.items():
                self.edits.append((attribute.value_start, attribute.end, _quoted(value)))
        else:
            self.edits.append((tag.start, tag.end, self._mailto_tag(tag, values, *mailto)))

    def _attribute_value(
        self,
        tag: _Tag,
        attribute: _Attribute,
        raw: str,
        items: list[tuple[Found, Contact | None]],
    ) -> str:
        offset = attribute.inner_start()
        edits = []
        for found, contact in items:
            if attribute.name in _URL_ATTRIBUTES:
                start, end, replacement = stripped(found, contact, relative=True)
            elif tag.name == "input" and attribute.name == "value" and contact is None:
                continue  # a reader's own address, sent back to them with their form
            else:
                start, end, replacement = found.start, found.end, label_for(contact)
            start = max(start, offset)
            edits.append((start - offset, end - offset, html.escape(replacement)))
        return apply_edits(raw, edits)

    def _mailto_tag(
        self,
        tag: _Tag,
        values: dict[_Attribute, str],
        href: _Attribute,
        target: str,
        author: Contact | None,
    ) -> str:
        """A mailto: link, rebuilt: its href goes to the contact page (or away, for an address
        that is nobody's) and the encoded target goes to data-mailguard."""
        parts = ["<" + self.source[tag.start + 1 : tag.name_end]]
        has_class = False
        for attribute in tag.attributes:
            if attribute is href:
                if author is not None and author.path:
                    parts.append(f"href={_quoted(html.escape(author.path))}")
            elif attribute.name.startswith("data-mailguard"):
                continue
            elif attribute.name == "class":
                classes = html.unescape(values.get(attribute, attribute.raw_value(self.source)))
                parts.append(f"class={_quoted(html.escape(classes + ' mailguard').strip())}")
                has_class = True
            elif attribute in values:
                name = self.source[attribute.start : attribute.value_start].rstrip("= \t\n\r\f")
                parts.append(f"{name}={_quoted(values[attribute])}")
            else:
                parts.append(self.source[attribute.start : attribute.end])
        if not has_class:
            parts.append('class="mailguard"')
        parts.append(f'data-mailguard="{xor_hex(target, self.key)}"')
        tail = self.source[tag.tail_start : tag.end].lstrip()
        return " ".join(parts) + tail
