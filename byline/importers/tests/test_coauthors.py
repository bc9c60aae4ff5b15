"""Co-Authors Plus in and out: guest authors and ordered bylines (issue #17)."""

from __future__ import annotations

import io

from django.core.management import call_command
from lxml import etree

from byline.blogs.models import Author, PostPage
from byline.importers.export import NSMAP
from byline.importers.tests.test_import import FILES
from byline.importers.wxr import WPItem, read_wxr


def test_guest_authors_and_ordered_bylines_arrive(tree, client):
    out = io.StringIO()
    call_command("import-wordpress", str(FILES / "coauthors-plus.xml"), "--blog", "t", stdout=out)
    jane = Author.objects.get(slug="jane-doe")
    assert jane.name == "Jane Doe" and jane.email == "jane@agency.example"
    assert jane.website == "https://agency.example/jane" and "agency" in jane.bio
    assert jane.user is None  # a guest author: no account
    shared = PostPage.objects.get(slug="shared-byline")
    # The terms' order, not dc:creator's (sbekker) alone.
    assert [a.slug for a in shared.authors] == ["jane-doe", "sbekker"]
    html = client.get(shared.url).content.decode()
    assert html.index("Jane Doe") < html.index("Scott Bekker")
    wire = PostPage.objects.get(slug="agency-copy")
    assert [a.name for a in wire.authors] == ["wire-desk"]  # from its term, reported
    assert "co-author 'cap-wire-desk' is neither a user nor a guest author" in out.getvalue()
    assert client.get("/author/jane-doe/")["Location"] == "/authors/jane-doe/"


def test_export_writes_guest_authors_and_bylines_back(tree, tmp_path):
    call_command(
        "import-wordpress", str(FILES / "coauthors-plus.xml"), "--blog", "t", stdout=io.StringIO()
    )
    target = tmp_path / "out.xml"
    call_command("export-wordpress", str(target), stdout=io.StringIO())
    root = etree.parse(str(target)).getroot()
    guests = root.findall(f"channel/item[{{{NSMAP['wp']}}}post_type='guest-author']")
    assert len(guests) == 2  # Jane, and the wire desk made from its term
    items = {i.post_name: i for i in read_wxr(str(target)) if isinstance(i, WPItem)}
    jane = items["cap-jane-doe"]
    assert jane.meta["cap-display_name"] == "Jane Doe"
    assert jane.meta["cap-user_email"] == "jane@agency.example"
    assert jane.meta["cap-website"] == "https://agency.example/jane"
    shared = items["shared-byline"]
    assert [t for t in shared.terms if t[0] == "author"] == [
        ("author", "cap-jane-doe", "jane-doe"),
        ("author", "cap-sbekker", "sbekker"),
    ]
