"""The search filters' <select>, written in Python, says what Django's own widget says."""

from html.parser import HTMLParser

import pytest
from django import forms

from byline.search.forms import WrittenSelect

CHOICES = [
    ("", "All blogs"),
    ("bekkers-blog", "Bekker's Blog"),
    ("tags", "<b>Tags & more</b>"),
    ("2011", "2011"),
    ("2011", "2011 again"),
]


class Markup(HTMLParser):
    """The elements of a fragment, in order, with their attributes and text."""

    def __init__(self):
        super().__init__()
        self.parts: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.parts.append(("start", tag, sorted(attrs, key=lambda pair: pair[0])))

    def handle_endtag(self, tag):
        self.parts.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.parts.append(("text", data.strip()))


def parsed(html: str) -> list[tuple]:
    parser = Markup()
    parser.feed(html)
    return parser.parts


@pytest.mark.parametrize("value", [None, "", "bekkers-blog", "tags", "2011", "missing", 2011])
def test_it_writes_what_django_s_select_writes(value):
    attrs = {"id": "id_blog", "required": True, "disabled": False, "data-x": 'a"b'}
    ours = WrittenSelect(choices=CHOICES).render("blog", value, attrs=attrs)
    django_s = forms.Select(choices=CHOICES).render("blog", value, attrs=attrs)
    assert parsed(ours) == parsed(django_s)


def test_labels_and_values_are_escaped():
    html = WrittenSelect(choices=[('"><script>', "<script>x</script>")]).render("b", None)
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
