"""Finding e-mail addresses in rendered output and protecting them: pure functions, no Django.

Usage::

    directory = {normalize_address("sbekker@example.com"): Contact(
        name="Scott Bekker", path="/authors/scott-bekker/contact/",
        url="https://news.example.com/authors/scott-bekker/contact/")}
    protect_html(html, directory)   # pages: encoded for mailguard.js, with a no-JS label
    protect_text(xml, directory)    # feeds, sitemaps, JSON: the address is gone

An address is found however it is written: plain, as the target of ``mailto:``, split by
character references (``&#64;``, ``&#x40;``, ``&commat;``), JSON or JavaScript escapes, or
percent-encoding (see decoding.py). In HTML it becomes an element carrying the address
XOR-encoded with a fresh key per render, as hex (the scheme Cloudflare's e-mail obfuscation
made familiar): ``<a class="mailguard" href="<contact page>" data-mailguard="…">e-mail Scott
Bekker</a>``, which ``static/js/mailguard.js`` turns into a ``mailto:`` link with the address as
its text. Everywhere else (XML, JSON, plain text, ``<script>``, ``<style>``, comments) the
address is replaced by its author's contact page, or removed when nobody's.
"""

from __future__ import annotations

from collections.abc import Mapping

from byline.mailguard.addresses import (
    UNKNOWN_LABEL,
    Contact,
    Found,
    apply_edits,
    find_addresses,
    fresh_key,
    label_for,
    lookup,
    mailto_uri,
    normalize_address,
    stripped,
    xor_hex,
    xor_unhex,
)
from byline.mailguard.htmlrewrite import HtmlRewriter, protected_element

__all__ = [
    "UNKNOWN_LABEL",
    "Contact",
    "Found",
    "find_addresses",
    "label_for",
    "mailto_uri",
    "normalize_address",
    "protect_html",
    "protect_text",
    "protected_element",
    "xor_hex",
    "xor_unhex",
]


def protect_text(source: str, directory: Mapping[str, Contact]) -> str:
    """For feeds, sitemaps, JSON and text: no address is left but the public ones."""
    edits = []
    for found in find_addresses(source):
        contact = lookup(directory, found.address)
        if contact is not None and contact.public:
            continue
        edits.append(stripped(found, contact))
    return apply_edits(source, edits)


def protect_html(source: str, directory: Mapping[str, Contact], *, key: int | None = None) -> str:
    """For pages: each address becomes an encoded element (see the module docstring)."""
    found = find_addresses(source)
    if not found:
        return source
    return HtmlRewriter(source, found, directory, key or fresh_key()).run()
