"""Properties of protection over generated addresses, spellings and surroundings (hypothesis)."""

from __future__ import annotations

import json
import string
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from byline.mailguard.protect import (
    Contact,
    find_addresses,
    normalize_address,
    protect_html,
    protect_text,
    xor_hex,
    xor_unhex,
)
from byline.mailguard.tests.harvest import harvest
from byline.mailguard.tests.test_protect import payloads, start_tags

# The autouse settings fixtures of conftest.py do not change between examples.
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

ALNUM = string.ascii_lowercase + string.digits
INTERNATIONAL = "äöüéçñßøåжя用户例"

local_parts = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(ALNUM + INTERNATIONAL),
    st.text(alphabet=ALNUM + INTERNATIONAL + "._+-", max_size=20),
).filter(lambda local: ".." not in local and not local.endswith("."))
labels = st.text(alphabet=ALNUM + "äöüя例", min_size=1, max_size=12)
tlds = st.sampled_from(["com", "org", "de", "info", "museum", "xn--p1ai", "рф", "广告"])
addresses = st.builds(
    lambda local, names, tld: f"{local}@{'.'.join(names)}.{tld}",
    local_parts,
    st.lists(labels, min_size=1, max_size=3),
    tlds,
)


def _references(text: str, hexadecimal: bool) -> str:
    return "".join(f"&#x{ord(c):x};" if hexadecimal else f"&#{ord(c)};" for c in text)


SPELLINGS = {
    "plain": lambda a: a,
    "decimal": lambda a: a.replace("@", "&#64;"),
    "padded": lambda a: a.replace("@", "&#0064;"),
    "hex": lambda a: a.replace("@", "&#x40;"),
    "named": lambda a: a.replace("@", "&commat;").replace(".", "&period;"),
    "percent": lambda a: a.replace("@", "%40"),
    "all-percent": lambda a: quote(a, safe=""),
    "json": lambda a: a.replace("@", "\\u0040"),
    "all-decimal": lambda a: _references(a, False),
    "all-hex": lambda a: _references(a, True),
    "double": lambda a: a.replace("@", "&amp;#64;"),
}
spellings = st.sampled_from(sorted(SPELLINGS))

# Where an address can sit in a page; {0} is the address as spelled.
HTML_PLACES = [
    "<p>Write to {0}.</p>",
    "<p>{0}</p><p>{0}</p>",
    '<a href="mailto:{0}">write</a>',
    '<a href="mailto:{0}">{0}</a>',
    "<a href='mailto:{0}?subject=Hello'><b>{0}</b></a>",
    '<a href="/about">about {0}</a>',
    '<p title="{0}">x</p>',
    "<p title={0}>x</p>",
    '<img src="/x?m={0}" alt="{0}">',
    '<script type="application/ld+json">{{"email": "{0}"}}</script>',
    "<script>var a = '{0}';</script>",
    "<style>/* {0} */</style>",
    "<!-- {0} -->",
    "<title>{0}</title>",
    "<ul><li>{0}</li><li><em>{0}</em></li></ul>",
    "<table><tr><td>{0}</td></tr></table>",
]
html_places = st.sampled_from(HTML_PLACES)


def directory_for(address: str, known: bool) -> dict[str, Contact]:
    if not known:
        return {}
    return {normalize_address(address): Contact("A. Writer", "/authors/a/contact/", "http://t/a/")}


@PROPERTY
@given(addresses, spellings)
def test_every_spelling_is_found_as_the_address(address, spelling):
    written = SPELLINGS[spelling](address)
    found = find_addresses(f"<p>{written}</p>")
    assert [item.address.lower() for item in found] == [address.lower()]


@PROPERTY
@given(addresses, spellings, html_places, st.booleans(), st.integers(1, 255))
def test_no_page_leaks_an_address(address, spelling, place, known, key):
    source = place.format(SPELLINGS[spelling](address))
    html = protect_html(source, directory_for(address, known), key=key)
    assert harvest(html) == set()
    assert find_addresses(html) == []
    # What the script will show is the address itself (an href escaped twice, or with a JSON
    # escape, is to a browser a different address, and kept as it is).
    for payload in payloads(html) if spelling not in {"double", "json"} else []:
        assert payload.startswith("mailto:")
        assert unquote(payload[7:]).split("?")[0].lower() == address.lower()


@PROPERTY
@given(addresses, spellings, html_places, st.booleans())
def test_page_structure_is_kept(address, spelling, place, known):
    source = f"<main><h1>T</h1>{place.format(SPELLINGS[spelling](address))}<p>end</p></main>"
    html = protect_html(source, directory_for(address, known))
    assert start_tags(html) == start_tags(source)
    assert html.endswith("<p>end</p></main>")


@PROPERTY
@given(st.text(alphabet=string.printable + "äé@&#;%<>\"'=/", max_size=300))
def test_any_text_is_protected_without_error_and_only_once(text):
    directory = {}
    once = protect_html(text, directory, key=7)
    assert protect_html(once, directory, key=7) == once
    assert protect_text(protect_text(text, directory), directory) == protect_text(text, directory)


@PROPERTY
@given(st.text(alphabet=string.ascii_letters + string.digits + " <>/=\"'.:&;#-", max_size=300))
def test_text_without_any_at_sign_is_untouched(text):
    assert protect_html(text, {}) == text
    assert protect_text(text, {}) == text


@PROPERTY
@given(addresses, st.booleans(), st.booleans())
def test_json_stays_json(address, ascii_only, known):
    document = {"author": {"name": "A", "email": address}, "note": f"write to {address} now"}
    source = json.dumps(document, ensure_ascii=ascii_only)
    protected = protect_text(source, directory_for(address, known))
    data = json.loads(protected)
    assert address not in json.dumps(data, ensure_ascii=False)
    assert harvest(protected) == set()


@PROPERTY
@given(addresses, spellings, st.booleans())
def test_xml_stays_well_formed(address, spelling, known):
    written = SPELLINGS[spelling](address)
    if spelling in {"json"}:
        written = address
    content = xml_escape(f'<a href="mailto:{written}">{written}</a>')
    source = (
        '<?xml version="1.0" encoding="utf-8"?><feed>'
        f"<author><email>{xml_escape(written)}</email></author>"
        f"<link href={quoteattr('mailto:' + address)}/>"
        f'<content type="html">{content}</content></feed>'
    )
    protected = protect_text(source, directory_for(address, known))
    etree.fromstring(protected.encode("utf-8"))
    assert harvest(protected) == set()


@PROPERTY
@given(st.text(max_size=200), st.integers(1, 255))
def test_xor_round_trip(text, key):
    assert xor_unhex(xor_hex(text, key)) == text


# Pieces of markup to shuffle around addresses: every kind of token the rewriter's walk tells
# apart, in both cases, cut short, and with the characters that end names and tags.
MARKUP_PIECES = [
    "<p>",
    "</p>",
    "<a href='/x'>",
    "<A HREF=/y>",
    "</a>",
    "</A >",
    "<ab>",
    "</ab>",
    "<script>",
    "</script>",
    "<SCRIPT type=x>",
    "<style>",
    "</style>",
    "<title>",
    "</title>",
    "<textarea>",
    "<plaintext>",
    "<iframe src=x>",
    "<scrıpt>",
    "<ſtyle>",
    "<!-- c -->",
    "<!--",
    "-->",
    "<!doctype html>",
    "<?pi?>",
    "</ x>",
    "<![CDATA[",
    "]]>",
    '<p title="a<b">',
    "<p title='>'>",
    '<img alt="x',
    '"',
    "'",
    "<",
    ">",
    " ",
    "\n",
    "=",
    "/",
    "x",
    "mailto:",
    '<a href="mailto:',
    '<meta name="fediverse:creator" content="@w@example.social">',
]


@PROPERTY
@given(
    st.lists(
        st.one_of(st.sampled_from(MARKUP_PIECES), addresses, st.sampled_from(["a@b.co", "@"])),
        max_size=40,
    ),
    st.booleans(),
)
def test_skipping_plain_markup_changes_nothing(pieces, known):
    """The rewriter's skip over plain markup (text, ordinary tags) gives what walking every
    token gives, wherever the addresses fall."""
    from byline.mailguard.htmlrewrite import HtmlRewriter

    source = "".join(pieces)
    found = find_addresses(source)
    directory = {}
    if known:
        directory = {item.address: Contact("A. Writer", "/a/", "http://t/a/") for item in found}
    fast = HtmlRewriter(source, found, directory, 7).run()
    walked = HtmlRewriter(source, found, directory, 7, skip_plain=False).run()
    assert fast == walked
