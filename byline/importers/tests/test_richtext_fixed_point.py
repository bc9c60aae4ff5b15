"""Whatever HTML a post holds, the rich text the import stores is what Wagtail's editor reads
and writes back unchanged: opening it never fails (the 500 of issue #13), saving it changes
nothing. Checked on hand-picked bad input and on generated markup."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from byline.blogs.blocks import NOTE_FEATURES, PROSE_FEATURES
from byline.importers.bodyblocks import QUOTE_FEATURES
from byline.importers.convert import Converter
from byline.importers.richtext import draftail_html

FEATURES = {"paragraph": PROSE_FEATURES, "quotation": QUOTE_FEATURES, "footnotes": NOTE_FEATURES}
TAGS = ["p", "br", "img", "a", "em", "strong", "span", "code", "pre", "table", "tr", "td",
        "ul", "ol", "li", "blockquote", "h1", "h5", "div", "figure", "figcaption", "dl", "dt",
        "dd", "details", "summary", "hr", "sup", "iframe", "u", "del", "kbd", "mark"]  # fmt: skip


def rich_values(blocks: list[dict]):
    for block in blocks:
        if block["type"] == "paragraph":
            yield "paragraph", block["value"]
        elif block["type"] == "quotation":
            yield "quotation", block["value"]["text"]
        elif block["type"] == "footnotes":
            for note in block["value"]["notes"]:
                yield "footnotes", note["text"]


def assert_editor_keeps(blocks: list[dict]) -> None:
    for kind, stored in rich_values(blocks):
        converter = ContentstateConverter(FEATURES[kind])
        assert converter.to_database_format(converter.from_database_format(stored)) == stored


BAD = [
    "<p>line<br>\nnext <img src='a.jpg'> tail</p>",
    "<p>unclosed <em>emphasis <strong>and strong</p><p>next",
    "<div>" * 12 + "deep text" + "</div>" * 12,
    "<ul><li>one<ul><li>two<table><tr><td>cell</td></tr></table></li></ul></li></ul>",
    "<p><code>a<br>b</code> <kbd>k</kbd> <u>u</u> <del>d</del></p>",
    "<blockquote><ul><li>listed</li></ul><p>para<br>break</p></blockquote>",
    '<!-- wp:unknown/thing {"x":1} --><p>inner</p><!-- /wp:unknown/thing -->[shortcode x=1]',
    "<p>&nbsp;</p><p> </p><p><br></p>",
    "<a href='#top'>in page</a> and <a href='mailto:a@example.com'>mail</a>",
    "<p><sup data-fn='1'><a href='#1' id='1-link'>1</a></sup></p>",
]


@pytest.mark.parametrize("content", BAD)
def test_bad_input_is_stored_as_the_editor_keeps_it(content):
    assert_editor_keeps(Converter().convert(content, key="bad"))


def test_the_same_content_converts_to_the_same_blocks():
    """Ids and the editor's paragraph keys come from the content: a re-import changes nothing."""
    content = "<p>a<br>b</p><blockquote>q</blockquote>" * 3
    assert Converter().convert(content, key="k") == Converter().convert(content, key="k")


@st.composite
def markup(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 4 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS))
            inner = draw(markup(depth + 1))
            close = "" if draw(st.integers(0, 5)) == 0 else f"</{tag}>"  # unclosed now and then
            parts.append(f"<{tag}>{inner}{close}")
        else:
            parts.append(draw(st.text(alphabet="ab <>&\n", max_size=8)))
    return "".join(parts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup())
def test_generated_markup_is_stored_as_the_editor_keeps_it(content):
    assert_editor_keeps(Converter().convert(content, key="generated"))


def test_long_prose_is_cut_into_blocks_at_paragraph_ends():
    """Wagtail's converter slows down with the square of a text's length, so a long run of
    prose is stored as several paragraph blocks, every paragraph whole and in order."""
    content = "\n\n".join(f"Paragraph {n} <em>with</em> words." for n in range(3000))
    blocks = Converter().convert(content, key="long")
    assert len(blocks) > 3 and {block["type"] for block in blocks} == {"paragraph"}
    text = "".join(block["value"] for block in blocks)
    positions = [text.index(f">Paragraph {n} <i>with</i> words.</p>") for n in range(3000)]
    assert positions == sorted(positions)
    assert_editor_keeps(blocks)


INLINE_TAGS = ["p", "br", "a", "em", "strong", "code", "sup", "sub", "del", "ul", "li", "span"]


@st.composite
def prose(draw, depth: int = 0) -> str:
    """Paragraphs with inline formatting and awkward whitespace: where one conversion pass
    is taken as the fixed point (richtext._UNSETTLED), it must be one."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(INLINE_TAGS))
            attributes = ' href="https://x.example/"' if tag == "a" else ""
            parts.append(f"<{tag}{attributes}>{draw(prose(depth + 1))}</{tag}>")
        else:
            parts.append(draw(st.text(alphabet="ab <&\n\t\u00a0", max_size=6)))
    return "".join(parts)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prose())
# Found by a run: five passes to settle, where four were made.
@example('\xa0<br>\xa0<br></br>\xa0</br><a href="https://x.example/">\xa0</a> <')
def test_stored_prose_is_what_the_editor_saves_back(content):
    stored = draftail_html(content)
    assume(stored)  # nothing left: no block is stored
    converter = ContentstateConverter(PROSE_FEATURES)
    assert converter.to_database_format(converter.from_database_format(stored)) == stored
