"""E-mail addresses in rendered output: finding them however written, encoding, labels."""

from __future__ import annotations

import contextlib
import functools
import re
import secrets
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from byline.mailguard.decoding import decoded_view

UNKNOWN_LABEL = "[e-mail address hidden]"


@dataclass(frozen=True)
class Contact:
    """Whose an address is, and where readers can write to them instead."""

    name: str
    path: str = ""  # the contact page, for links in HTML; "" when there is none
    url: str = ""  # the same, absolute, for feeds and JSON
    public: bool = False  # the editor chose to show this address as it is


@dataclass(frozen=True)
class Found:
    """An address in a source text: its span there and what it decodes to."""

    start: int
    end: int
    address: str
    # Where a "mailto:" just before it starts (== start when there is none).
    mailto_start: int


# --- finding -----------------------------------------------------------------------------

# Local parts: what real addresses use (RFC 5322 dot-atoms as people write them), plus any
# letter or digit for internationalised addresses (RFC 6531). The rarer atext characters
# (! # $ & * / = ? ^ ` { | } ~) are left out on purpose: they are what surrounds addresses in
# URLs ("?to=", "&email=") far more often than what is inside one.
_LOCAL_ASCII = frozenset(string.ascii_letters + string.digits + "._+-'")
_LOCAL_EDGE = ".'+-"  # not where an address starts: "'sbekker@…'" is sbekker@…
_DOMAIN = re.compile(
    r"(?:[^\W_]+(?:-+[^\W_]+)*\.)+"  # labels, letters and digits of any script (IDN)
    r"(?:[xX][nN]--[a-zA-Z0-9-]{1,59}|[^\W\d_]{2,63})"  # a TLD: punycode, or letters
    r"(?![^\W_])"
)
_MAX_DOMAIN = 253  # RFC 1035
# "logo@2x.png" is an image, not an address; none of these is a top-level domain.
_FILE_EXTENSIONS = frozenset(
    [
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "svg",
        "avif",
        "ico",
        "bmp",
        "tif",
        "tiff",
        "heic",
        "css",
        "js",
        "mjs",
        "json",
        "map",
    ]
)


def _is_local_char(char: str) -> bool:
    if char in _LOCAL_ASCII:
        return True
    return char > "\x7f" and (char.isalnum() or unicodedata.category(char).startswith("M"))


def find_addresses(source: str) -> list[Found]:
    """Every address in `source`, in order, with spans that never overlap."""
    view = decoded_view(source)
    text = view.text
    if "@" not in text:
        return []
    found: list[Found] = []
    floor = 0  # a local part never reaches back into the previous address
    at = text.find("@")
    while at != -1:
        limit = min(len(text), at + 1 + _MAX_DOMAIN)
        domain_match = _DOMAIN.match(text, at + 1, limit)
        start = at
        while start > floor and (
            text[start - 1] in _LOCAL_ASCII or _is_local_char(text[start - 1])
        ):
            start -= 1
        while start < at and text[start] in _LOCAL_EDGE:
            start += 1
        if (
            domain_match is not None
            and start < at
            # cut short by the length limit, so not an address we understand
            and not (domain_match.end() == limit < len(text) and text[limit].isalnum())
            and domain_match.group().rsplit(".", 1)[1].lower() not in _FILE_EXTENSIONS
        ):
            end = domain_match.end()
            source_start, source_end = view.to_source(start, end)
            mailto_start = source_start
            if text[max(0, start - 7) : start].lower() == "mailto:":
                mailto_start = view.to_source(start - 7, start)[0]
            item = Found(source_start, source_end, text[start:end], mailto_start)
            if found and source_start < found[-1].end:
                # Two addresses touching one multi-character escape: cover both with one span.
                last = found[-1]
                item = Found(last.start, max(last.end, source_end), last.address, last.start)
                found[-1] = item
            else:
                found.append(item)
            floor = end
            at = text.find("@", end)
        else:
            at = text.find("@", at + 1)
    return found


@functools.lru_cache(maxsize=4096)
def normalize_address(address: str) -> str:
    """The form addresses are compared in: lower case, the domain in ASCII (punycode)."""
    local, _, domain = address.rpartition("@")
    if not domain.isascii():
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}".lower()


# --- encoding ----------------------------------------------------------------------------


def fresh_key() -> int:
    """A key for one render; never 0, which would leave the bytes as they are."""
    return secrets.randbelow(255) + 1


@functools.cache
def _xor_table(key: int) -> bytes:
    return bytes(byte ^ key for byte in range(256))


def xor_hex(text: str, key: int) -> str:
    """`text` as UTF-8, each byte XORed with `key`, as hex with the key first."""
    return f"{key:02x}" + text.encode("utf-8").translate(_xor_table(key)).hex()


def xor_unhex(encoded: str) -> str:
    """The inverse of xor_hex (what mailguard.js does in the browser)."""
    data = bytes.fromhex(encoded)
    return bytes(byte ^ data[0] for byte in data[1:]).decode("utf-8")


def mailto_uri(address: str) -> str:
    """A mailto: URI for `address` (RFC 6068: UTF-8, percent-encoded where needed)."""
    return "mailto:" + quote(address, safe="@+'")


def label_for(contact: Contact | None) -> str:
    """What a reader without JavaScript sees in place of the address."""
    return f"e-mail {contact.name}" if contact is not None else UNKNOWN_LABEL


# --- replacing ---------------------------------------------------------------------------


def stripped(
    found: Found, contact: Contact | None, *, relative: bool = False
) -> tuple[int, int, str]:
    """Where no markup can go: the address (with its "mailto:") becomes the address of its
    author's contact page, or nothing."""
    url = (contact.path if relative else contact.url) if contact is not None else ""
    if url:
        return found.mailto_start, found.end, url
    return found.start, found.end, ""


def lookup(directory: Mapping[str, Contact], address: str) -> Contact | None:
    return directory.get(normalize_address(address))


def apply_edits(source: str, edits: list[tuple[int, int, str]]) -> str:
    """`source` with each (start, end, replacement) applied; edits come in order."""
    if not edits:
        return source
    pieces, position = [], 0
    for start, end, replacement in edits:
        start = max(start, position)  # a "mailto:" reaching back into the previous edit
        pieces.append(source[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(source[position:])
    return "".join(pieces)
