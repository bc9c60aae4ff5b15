"""The body blocks that hold what rich text cannot: hostile HTML never reaches a reader, an
embed keeps its address when its provider does not answer, footnote references link back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from byline.blogs.blocks import PostBodyBlock, mark_footnote_references, sanitize_html

HOSTILE = [
    ("<script>alert(1)</script><p>kept</p>", "<p>kept</p>"),
    ('<img src="x.png" onerror="alert(1)" alt="a">', '<img src="x.png" alt="a">'),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="JaVaScRiPt&colon;alert(1)">x</a>', "<a>x</a>"),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "<a>x</a>"),
    ('<iframe src="https://evil.example/"></iframe><p>after</p>', "<p>after</p>"),
    ("<style>body{display:none}</style><p>shown</p>", "<p>shown</p>"),
    ('<p style="position:fixed" class="x" onclick="steal()">p</p>', "<p>p</p>"),
    ("<svg><script>alert(1)</script></svg>", ""),
    ('<form action="/admin/"><input name="q"></form>', ""),
    ('<object data="x.swf"></object><embed src="x.swf">', ""),
    (
        '<table id="cookie"><tr><td>1</td></tr></table>',
        '<table id="cookie"><tbody><tr><td>1</td></tr></tbody></table>',
    ),
    ('<h2 id="bad id&quot;onmouseover=x">t</h2>', "<h2>t</h2>"),
    (
        '<video src="v.mp4" controls autoplay onplay="x()"></video>',
        '<video src="v.mp4" controls=""></video>',
    ),
    (
        "<details open><summary>s</summary>d</details>",
        '<details open=""><summary>s</summary>d</details>',
    ),
]


@pytest.mark.parametrize(("dirty", "clean"), HOSTILE)
def test_the_html_block_keeps_only_safe_markup(dirty, clean):
    assert sanitize_html(dirty) == clean


def test_an_editor_cannot_store_a_script_in_the_html_block():
    block = PostBodyBlock().child_blocks["html"]
    assert block.clean('<p onclick="x()">Hi</p><script>x()</script>') == "<p>Hi</p>"


def test_stored_markup_is_sanitised_again_when_shown():
    """Markup that reached the database some other way (an old import, a fixture) is cleaned
    on the way out too."""
    block = PostBodyBlock().child_blocks["html"]
    html = block.render('<table><tr><td onmouseover="x()">1</td></tr></table><script>x()</script>')
    assert "onmouseover" not in html and "<script" not in html and "<td>1</td>" in html


def test_an_embed_whose_provider_does_not_answer_is_a_link_with_its_caption(db):
    body = PostBodyBlock()
    value = body.to_python(
        [{"type": "embed", "value": {"url": "https://video.invalid/watch/1", "caption": "Talk"}}]
    )
    html = value.render_as_block()
    assert '<a href="https://video.invalid/watch/1">https://video.invalid/watch/1</a>' in html
    assert "<figcaption>Talk</figcaption>" in html


def test_an_embed_stored_as_a_bare_url_still_reads(db):
    """Embeds were a bare URL before they had a caption; those bodies read unchanged."""
    value = PostBodyBlock().to_python([{"type": "embed", "value": "https://video.invalid/2"}])
    assert value[0].value.url == "https://video.invalid/2"
    assert value[0].value["caption"] == ""


def test_an_embed_is_saved_even_when_its_provider_does_not_answer(db):
    block = PostBodyBlock().child_blocks["embed"]
    value = block.to_python({"url": "https://video.invalid/3", "caption": ""})
    assert block.clean(value)["url"].url == "https://video.invalid/3"
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"url": "not a url", "caption": ""}))


def test_the_first_reference_to_a_footnote_gets_the_id_its_back_link_needs():
    html = '<p>A<a href="#fn-n1"><sup>1</sup></a>, again<a href="#fn-n1"><sup>1</sup></a></p>'
    marked = mark_footnote_references(html)
    assert marked.count('id="fnref-n1"') == 1
    assert marked.startswith('<p>A<a href="#fn-n1" id="fnref-n1">')
