"""The pure functions of protect.py: finding addresses however written, and replacing them."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from lxml import etree

from byline.mailguard.decoding import decoded_view
from byline.mailguard.protect import (
    UNKNOWN_LABEL,
    Contact,
    find_addresses,
    normalize_address,
    protect_html,
    protect_text,
    xor_hex,
    xor_unhex,
)
from byline.mailguard.tests.harvest import harvest

BEKKER = "sbekker@example.com"
CONTACT = Contact(
    name="Scott Bekker",
    path="/authors/scott-bekker/contact/",
    url="http://testserver/authors/scott-bekker/contact/",
)
PUBLIC = Contact(
    name="Letters Desk", path="/authors/letters/contact/", url="http://t/l/", public=True
)
DIRECTORY = {
    normalize_address(BEKKER): CONTACT,
    normalize_address("letters@example.com"): PUBLIC,
}
KEY = 0x5A


def addresses(source: str) -> list[str]:
    return [found.address for found in find_addresses(source)]


def payloads(html: str) -> list[str]:
    return [xor_unhex(value) for value in re.findall(r'data-mailguard="([0-9a-f]+)"', html)]


class TestFinding:
    @pytest.mark.parametrize(
        "written",
        [
            "sbekker@example.com",
            "sbekker&#64;example.com",
            "sbekker&#064;example.com",
            "sbekker&#64example.com",  # no semicolon: browsers still read "@"
            "sbekker&#x40;example.com",
            "sbekker&#X40;example&#46;com",
            "sbekker&commat;example.com",
            "sbekker%40example.com",
            "sbekker%40example%2Ecom",
            "sbekker\\u0040example.com",
            "sbekker&amp;#64;example.com",  # HTML escaped once more, as in an RSS description
            "&#115;&#98;&#101;&#107;&#107;&#101;&#114;&#64;&#101;&#120;&#97;&#109;&#112;&#108;"
            "&#101;&#46;&#99;&#111;&#109;",
        ],
    )
    def test_every_spelling_decodes_to_the_address(self, written):
        source = f"Write to {written} today."
        [found] = find_addresses(source)
        assert found.address.lower() == BEKKER
        assert source[: found.start] == "Write to "
        assert source[found.end :] == " today."

    def test_sentence_punctuation_and_quotes_are_not_part_of_it(self):
        assert addresses("(e-mail 'sbekker@example.com'.)") == [BEKKER]
        assert addresses('"sbekker@example.com",') == [BEKKER]
        assert addresses("&#x27;sbekker@example.com&#x27;") == [BEKKER]

    def test_addresses_in_urls_are_found_without_the_query_around_them(self):
        assert addresses("/share?to=sbekker%40example.com&amp;x=1") == [BEKKER]

    def test_international_addresses(self):
        assert addresses("jörg.müller@bücher.de") == ["jörg.müller@bücher.de"]
        assert addresses("kontakt@xn--bcher-kva.de") == ["kontakt@xn--bcher-kva.de"]
        assert addresses("用户@例子.广告") == ["用户@例子.广告"]
        assert addresses("j%C3%B6rg@example.de") == ["jörg@example.de"]

    @pytest.mark.parametrize(
        "text",
        [
            "logo@2x.png",
            "@media (min-width: 40em)",
            "follow @sbekker",
            "root@localhost",
            "version 1.2@3.4",
            "a@b.c",
            "@@@",
            "x@",
            "%40%40",
            "&#64;&#64;",
            "mailto:",
            "a@-example.com",
        ],
    )
    def test_what_is_not_an_address(self, text):
        assert find_addresses(text) == []

    def test_two_addresses_run_together_do_not_overlap(self):
        found = find_addresses("a@b.com@c.com d@e.org")
        assert [item.address for item in found] == ["a@b.com", "d@e.org"]

    def test_mailto_prefix_is_known(self):
        source = '<a href="mailto:sbekker@example.com">'
        [found] = find_addresses(source)
        assert source[found.mailto_start : found.end] == "mailto:sbekker@example.com"

    def test_spans_never_cut_an_escape(self):
        source = "(&#x27;sbekker&#x40;example.com&#x27;)"
        [found] = find_addresses(source)
        assert source[found.start : found.end] == "sbekker&#x40;example.com"

    def test_normalized_address_ignores_case_and_domain_spelling(self):
        assert normalize_address("SBekker@Example.COM") == BEKKER
        assert normalize_address("kontakt@bücher.de") == normalize_address(
            "Kontakt@xn--bcher-kva.de"
        )

    def test_decoded_view_maps_percent_inside_references(self):
        view = decoded_view("a&#37;40b")
        assert view.text == "a@b"
        assert view.to_source(1, 2) == (1, 8)


class TestXor:
    def test_round_trip_with_key_first(self):
        encoded = xor_hex("mailto:sbekker@example.com", 0x5A)
        assert encoded.startswith("5a")
        assert "sbekker" not in bytes.fromhex(encoded).decode("latin-1")
        assert xor_unhex(encoded) == "mailto:sbekker@example.com"

    def test_fresh_key_per_render(self):
        renders = {protect_html(BEKKER, DIRECTORY) for _ in range(20)}
        assert len(renders) > 1
        assert {payloads(html)[0] for html in renders} == {f"mailto:{BEKKER}"}


class TestHtmlText:
    def test_address_in_text_becomes_contact_link_with_encoded_mailto(self):
        html = protect_html(f"<p>Write to {BEKKER}.</p>", DIRECTORY, key=KEY)
        assert html == (
            '<p>Write to <a class="mailguard" href="/authors/scott-bekker/contact/" '
            f'data-mailguard="{xor_hex("mailto:" + BEKKER, KEY)}" data-mailguard-text>'
            "e-mail Scott Bekker</a>.</p>"
        )

    def test_unknown_address_gets_a_placeholder_without_a_link(self):
        html = protect_html("<p>tips@news.example.org</p>", DIRECTORY, key=KEY)
        assert "href" not in html
        assert UNKNOWN_LABEL in html
        assert payloads(html) == ["mailto:tips@news.example.org"]

    def test_last_address_right_before_a_start_tag(self):
        """The walk used to look for a next address at the tag after the last one (an
        IndexError, so the middleware fell back to removing every address on the page)."""
        html = protect_html(f"<p>Write to {BEKKER}<br>or call.</p>", DIRECTORY, key=KEY)
        assert html == (
            '<p>Write to <a class="mailguard" href="/authors/scott-bekker/contact/" '
            f'data-mailguard="{xor_hex("mailto:" + BEKKER, KEY)}" data-mailguard-text>'
            "e-mail Scott Bekker</a><br>or call.</p>"
        )

    def test_inside_another_link_a_span_not_a_nested_link(self):
        html = protect_html(f'<a href="/about">mail {BEKKER}</a>', DIRECTORY, key=KEY)
        assert html.count("<a") == 1
        assert '<span class="mailguard" data-mailguard="' in html
        assert html.endswith(">e-mail Scott Bekker</span></a>")

    def test_fediverse_creator_handle_is_not_an_address(self):
        """Only the handle in <meta name="fediverse:creator"> is left: the same text in
        another meta, or an address beside it in the tag, is still protected."""
        creator = '<meta name="fediverse:creator" content="@sbekker@mastodon.example">'
        assert protect_html(creator, DIRECTORY, key=KEY) == creator
        other = '<meta name="author" content="@sbekker@mastodon.example">'
        assert "mastodon.example" not in protect_html(other, DIRECTORY, key=KEY)
        not_a_handle = f'<meta name="fediverse:creator" content="{BEKKER}">'
        assert BEKKER not in protect_html(not_a_handle, DIRECTORY, key=KEY)

    def test_public_address_is_left_alone(self):
        source = '<p>letters@example.com <a href="mailto:Letters@Example.com">write</a></p>'
        assert protect_html(source, DIRECTORY) == source
        assert protect_text(source, DIRECTORY) == source

    def test_international_address_payload_is_utf8_percent_encoded(self):
        html = protect_html("jörg@bücher.de", DIRECTORY, key=KEY)
        assert payloads(html) == ["mailto:j%C3%B6rg@b%C3%BCcher.de"]
        assert harvest(html) == set()


class TestHtmlMailto:
    def test_mailto_link_goes_to_contact_page_and_keeps_its_target_encoded(self):
        source = (
            '<a class="email" href="mailto:SBekker&#64;example.com?subject=Hi%20there" '
            f'title="Mail {BEKKER}">write to me</a>'
        )
        html = protect_html(source, DIRECTORY, key=KEY)
        assert html == (
            '<a class="email mailguard" href="/authors/scott-bekker/contact/" '
            'title="Mail e-mail Scott Bekker" '
            f'data-mailguard="{xor_hex("mailto:SBekker@example.com?subject=Hi%20there", KEY)}">'
            "write to me</a>"
        )

    def test_address_as_link_text_becomes_a_span_inside_the_link(self):
        html = protect_html(f'<a href="mailto:{BEKKER}">{BEKKER}</a>', DIRECTORY, key=KEY)
        assert html.startswith('<a href="/authors/scott-bekker/contact/" class="mailguard"')
        assert html.endswith(">e-mail Scott Bekker</span></a>")
        assert payloads(html) == [f"mailto:{BEKKER}"] * 2

    def test_unknown_mailto_loses_its_href(self):
        html = protect_html("<a href='mailto:tips@example.org'>tips</a>", DIRECTORY, key=KEY)
        assert html.startswith('<a class="mailguard" data-mailguard="')
        assert "href" not in html

    def test_scheme_hidden_by_references_and_whitespace_is_still_mailto(self):
        source = '<a href=" mail&#x74;o:\nsbekker@example.com">x</a>'
        html = protect_html(source, DIRECTORY, key=KEY)
        assert 'href="/authors/scott-bekker/contact/"' in html
        assert payloads(html) == [f"mailto:{BEKKER}"]

    def test_page_supplied_data_mailguard_is_replaced_not_duplicated(self):
        source = f'<a data-mailguard="00" href="mailto:{BEKKER}">x</a>'
        html = protect_html(source, DIRECTORY, key=KEY)
        assert html.count("data-mailguard=") == 1


class TestHtmlElsewhere:
    def test_attributes_get_the_label_quoted(self):
        html = protect_html(f"<meta name=author content={BEKKER}>", DIRECTORY, key=KEY)
        assert html == '<meta name=author content="e-mail Scott Bekker">'

    def test_url_attributes_lose_the_address(self):
        html = protect_html('<img src="/x?to=tips@x.org" srcset="a@2x.png 2x">', DIRECTORY)
        assert html == '<img src="/x?to=" srcset="a@2x.png 2x">'
        html = protect_html(f'<a href="/share?to={BEKKER}">share</a>', DIRECTORY)
        assert html == f'<a href="/share?to={CONTACT.path}">share</a>'
        link = protect_html(f'<link rel="author" href="mailto:{BEKKER}">', DIRECTORY)
        assert link == '<link rel="author" href="/authors/scott-bekker/contact/">'

    def test_readers_own_address_in_a_form_is_kept(self):
        source = (
            '<input name="email" value="reader@example.net"><textarea>reader@example.net</textarea>'
        )
        assert protect_html(source, DIRECTORY) == source
        mine = protect_html(f'<input value="{BEKKER}"><textarea>{BEKKER}</textarea>', DIRECTORY)
        assert mine == '<input value="e-mail Scott Bekker"><textarea>e-mail Scott Bekker</textarea>'

    def test_title_gets_text_not_markup(self):
        html = protect_html(f"<title>{BEKKER} &amp; tips@x.org</title>", DIRECTORY)
        assert html == f"<title>e-mail Scott Bekker &amp; {UNKNOWN_LABEL}</title>"

    def test_json_ld_stays_valid_json_with_the_contact_url(self):
        data = {"@type": "Person", "email": f"mailto:{BEKKER}", "other": "tips\u0040x.org"}
        source = f'<script type="application/ld+json">{json.dumps(data)}</script><p>ok</p>'
        html = protect_html(source, DIRECTORY)
        inner = html.split(">", 1)[1].split("</script>")[0]
        assert json.loads(inner) == {"@type": "Person", "email": CONTACT.url, "other": ""}
        assert html.endswith("</script><p>ok</p>")

    def test_style_and_comments_lose_the_address(self):
        source = f"<style>/* {BEKKER} */ @media print {{}}</style><!-- {BEKKER} -->"
        assert protect_html(source, DIRECTORY) == (
            f"<style>/* {CONTACT.url} */ @media print {{}}</style><!-- {CONTACT.url} -->"
        )

    def test_script_end_is_found_case_insensitively(self):
        source = f"<SCRIPT>var a = 1;</Script ><p>{BEKKER}</p>"
        html = protect_html(source, DIRECTORY)
        assert '</Script ><p><a class="mailguard"' in html

    @pytest.mark.parametrize(
        "source",
        [
            f"<p>{BEKKER}",  # unclosed
            f"<a href='mailto:{BEKKER}",  # tag left open at the end
            f"<!-- {BEKKER}",  # comment never closed
            f"<script>{BEKKER}",  # script never closed
            f"< p>{BEKKER}</ p>",  # not a tag
            f'<p title="x>{BEKKER}</p>',  # quote never closed
            f"<{BEKKER}>",  # address as a tag name
            f"<p {BEKKER}=x>",  # address as an attribute name
            f"<![CDATA[{BEKKER}]]>",
            f"</{BEKKER}>",
            f"<?xml {BEKKER}?>",
        ],
    )
    def test_malformed_markup_is_protected_without_error(self, source):
        assert harvest(protect_html(source, DIRECTORY)) == set()

    def test_thousands_of_addresses_on_a_long_page(self):
        rows = "".join(
            f'<tr><td><a href="mailto:user{n}@example{n % 7}.com">user{n}@example{n % 7}.com</a>'
            f"</td><td>{'x' * 200}</td></tr>"
            for n in range(5000)
        )
        source = f"<table>{rows}</table>"
        html = protect_html(source, DIRECTORY)
        assert harvest(html) == set()
        assert html.count('data-mailguard="') == 10000
        assert len(payloads(html)) == 10000


class TestText:
    def test_rss_stays_well_formed_and_links_to_the_contact_page(self):
        rss = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><item>'
            f"<author>{BEKKER} (Scott Bekker)</author>"
            "<description>&lt;p&gt;Mail &lt;a href=&quot;mailto:sbekker&amp;#64;example.com"
            "&quot;&gt;me&lt;/a&gt; or tips@example.org&lt;/p&gt;</description>"
            "</item></channel></rss>"
        )
        protected = protect_text(rss, DIRECTORY)
        item = etree.fromstring(protected.encode()).find("channel/item")
        assert item.findtext("author") == f"{CONTACT.url} (Scott Bekker)"
        assert item.findtext("description") == f'<p>Mail <a href="{CONTACT.url}">me</a> or </p>'
        assert harvest(protected) == set()

    def test_json_feed_stays_valid(self):
        feed = json.dumps(
            {"authors": [{"name": "Scott", "email": BEKKER}], "x": "a%40b.org"}, ensure_ascii=True
        ).replace("@", "\\u0040")
        protected = protect_text(feed, DIRECTORY)
        assert json.loads(protected) == {
            "authors": [{"name": "Scott", "email": CONTACT.url}],
            "x": "",
        }


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if "data-mailguard-text" in names or (tag == "span" and "data-mailguard" in names):
            return  # added by protection
        self.tags.append(tag)


def start_tags(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def test_document_structure_is_kept():
    source = (
        "<!doctype html><html><head><title>T</title></head><body><main><p>Hi "
        f'<a href="mailto:{BEKKER}"><b>{BEKKER}</b></a> and <em>tips@x.org</em></p>'
        f"<ul><li>{BEKKER}</li></ul></main></body></html>"
    )
    assert start_tags(protect_html(source, DIRECTORY)) == start_tags(source)
