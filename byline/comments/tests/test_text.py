"""Readers' plain text becomes paragraphs and links and nothing else."""

from html.parser import HTMLParser

import nh3
import pytest

from byline.comments.text import count_links, render_body


def parse(html: str) -> list[tuple[str, dict]]:
    """Every element a browser would build from `html`, with its attributes."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


def test_paragraphs_and_line_breaks():
    assert render_body("One\nline two\n\n\nTwo") == "<p>One<br>line two</p><p>Two</p>"


def test_bare_urls_become_nofollow_links_without_trailing_punctuation():
    html = render_body("See https://example.com/a?b=1&c=2. Or www.example.org)")
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.com/a?b=1&amp;c=2</a>." in html
    )
    assert '<a href="https://www.example.org" rel="nofollow ugc noopener">www.example.org</a>)' in (
        html
    )


def test_markup_and_markdown_stay_text():
    html = render_body('<b>bold</b> **strong** [x](javascript:alert(1)) <a href="x">y</a>')
    assert "<b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "**strong**" in html
    assert "<a" not in html


def test_control_characters_and_nul_are_dropped():
    assert render_body("a\x00b\x07c\x1b") == "<p>abc</p>"


@pytest.mark.parametrize(
    "text",
    [
        'http://x.example/"onmouseover=alert(1)',
        "https://x.example/'><script>alert(1)</script>",
        "javascript:alert(1) and http://ok.example/",
        "plain <img src=x onerror=alert(1)>",
    ],
)
def test_nh3_never_has_anything_to_remove(text):
    """Escaping alone already makes the output safe; nh3 is the second lock."""
    html = render_body(text)
    again = nh3.clean(html, tags={"p", "br", "a"}, attributes={"a": {"href", "rel"}}, link_rel=None)
    assert again == html
    elements = parse(html)
    assert {tag for tag, _ in elements} <= {"p", "br", "a"}
    assert {name for _, attrs in elements for name in attrs} <= {"href", "rel"}
    assert all(attrs.get("href", "http").startswith("http") for _, attrs in elements)


def test_count_links():
    assert count_links("a http://a.example b https://b.example c www.c.example") == 3
    assert count_links("no links here") == 0
