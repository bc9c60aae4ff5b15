"""Tables, audio, video and files: each imported, block-editor and classic forms, into the block
that holds it (cells, header row and column, merged cells, caption; the imported document or
the file's address), shown as the source showed it, editable, and written back on export.

The corpus is tests/files/tables-and-media.xml; the files of its attachments are made here.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.documents import get_document_model

from byline.blogs.models import PostPage
from byline.importers.convert import Converter
from byline.importers.tests.editor import edit_and_save
from byline.importers.tests.test_constructs import providers_out_of_reach  # noqa: F401 - autouse
from byline.importers.wxr import WPItem, read_wxr

CORPUS = Path(__file__).resolve().parent / "files" / "tables-and-media.xml"


def make_files(root: Path) -> Path:
    month = root / "2022" / "05"
    month.mkdir(parents=True)
    (month / "interview.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x02" * 64)
    (month / "launch.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    (month / "report.pdf").write_bytes(b"%PDF-1.4\n" + b"%" * 2000 + b"\n%%EOF\n")
    return root


@pytest.fixture
def report(tree, tmp_path) -> str:
    out = io.StringIO()
    call_command(
        "import-wordpress", str(CORPUS), "--blog", "media", "--media-dir",
        str(make_files(tmp_path / "uploads")), stdout=out,
    )  # fmt: skip
    return out.getvalue()


def document(title: str):
    return get_document_model().objects.get(title=title)


def blocks_of(post: PostPage, kind: str) -> list:
    return [block.value for block in post.body if block.block_type == kind]


def test_block_editor_table_audio_video_and_files(report, client):
    post = PostPage.objects.get(slug="block-forms")
    assert [b.block_type for b in post.body] == [
        "paragraph", "table", "audio", "video", "file", "file", "video"
    ]  # fmt: skip
    (table,) = blocks_of(post, "table")
    assert table["data"] == [
        ["Team", "Points"],
        ['<a href="https://teams.example/red">Red</a>', "<strong>12</strong>"],
        ["Blue &amp; Green", "9"],
    ]
    assert (table["table_header_choice"], table["table_caption"]) == ("row", "League table, May")
    html = client.get(post.url).content.decode()
    assert "<caption>League table, May</caption>" in html
    assert '<th scope="col">Team</th><th scope="col">Points</th>' in html
    assert (
        '<td><a href="https://teams.example/red">Red</a></td><td><strong>12</strong></td>' in html
    )
    assert "<td>Blue &amp; Green</td><td>9</td>" in html
    # The imported files play from their documents, with the captions the author wrote.
    (audio,) = blocks_of(post, "audio")
    interview = document("interview.mp3")
    assert (audio["document"], audio["url"], audio["caption"]) == (interview, "", "The interview")
    assert f'<audio controls preload="metadata" src="{interview.url}">' in html
    assert f'<a href="{interview.url}">Download the audio (MP3)</a>' in html
    assert "<figcaption>The interview</figcaption>" in html
    launch, elsewhere = blocks_of(post, "video")
    assert launch["document"] == document("launch.mp4") and launch["caption"] == "The launch"
    assert launch["poster"] == "https://media.example/wp-content/uploads/2022/05/still.jpg"
    assert f'src="{document("launch.mp4").url}" poster="{launch["poster"]}">' in html
    # A file that is not among the attachments plays from where it was.
    assert (elsewhere["document"], elsewhere["url"]) == (
        None, "https://cdn.elsewhere.example/talk.webm"
    )  # fmt: skip
    assert 'src="https://cdn.elsewhere.example/talk.webm"' in html
    report_pdf, minutes = blocks_of(post, "file")
    assert (report_pdf["document"], report_pdf["text"]) == (document("Annual report 2022"),
                                                             "Annual report")  # fmt: skip
    assert f'<a href="{document("Annual report 2022").url}" download>Annual report</a>' in html
    assert (minutes["url"], minutes["text"]) == ("https://files.elsewhere.example/minutes.docx",
                                                 "Minutes")  # fmt: skip
    assert html.count(">Download</a>") == 0  # the button is the same link: not repeated
    assert client.get(interview.url).status_code == 200


def test_classic_table_and_shortcodes(report, client):
    post = PostPage.objects.get(slug="classic-forms")
    kinds = [b.block_type for b in post.body]
    assert kinds == ["paragraph", "table", "audio", "video", "audio", "embed", "html", "html"]
    (table,) = blocks_of(post, "table")
    # A header row and a header column; "Closed" spans two rows, its cell below left empty.
    assert table["data"] == [
        ["Day", "Hours"], ["Monday", "9–5"], ["Saturday", "Closed<br>all day"], ["Sunday", ""]
    ]  # fmt: skip
    assert table["mergeCells"] == [{"row": 2, "col": 1, "rowspan": 2, "colspan": 1}]
    assert table["table_header_choice"] == "both" and table["table_caption"] == "Opening hours"
    html = client.get(post.url).content.decode()
    assert '<tr><th scope="row">Saturday</th><td rowspan="2">Closed<br>all day</td></tr>' in html
    assert '<tr><th scope="row">Sunday</th></tr>' in html
    audio, ogg = blocks_of(post, "audio")
    assert audio["document"] == document("interview.mp3")  # [audio src=…], imported
    assert ogg["url"] == "https://radio.elsewhere.example/show.ogg"  # <audio><source>
    (video,) = blocks_of(post, "video")
    assert video["document"] == document("launch.mp4")  # [video mp4=… poster=…]
    assert video["poster"].endswith("/2022/05/still.jpg")
    # A <video> of a YouTube page is an embed of it.
    assert blocks_of(post, "embed")[0]["url"].url == "https://www.youtube.com/watch?v=abcdefghijk"
    # What the blocks cannot hold stays HTML, whole: subtitles and two sources; a list in a cell.
    player, listed = blocks_of(post, "html")
    assert '<track kind="captions" src="https://cdn.elsewhere.example/a.vtt"' in str(player)
    assert "a.webm" in str(player) and "a.mp4" in str(player)
    assert "<li>A list in a cell</li>" in str(listed)


def test_hostile_media_and_cells_are_neutralised(report, client):
    post = PostPage.objects.get(slug="hostile")
    html = client.get(post.url).content.decode()
    body = html[html.index('<div class="post-body') :]
    for word in ("javascript:", "alert(", "onerror", "onclick", "onmouseover"):
        assert word not in body, word
    (table,) = blocks_of(post, "table")
    assert table["data"] == [["Plain", "<span>hover</span> <a>bad link</a>"]]
    (video,) = blocks_of(post, "video")
    assert (video["url"], video["poster"]) == ("https://cdn.elsewhere.example/ok.mp4", "")
    assert "<audio> of 'javascript:alert(6)' is not a web address" in report
    assert not blocks_of(post, "file") and not blocks_of(post, "audio")


def test_stored_javascript_addresses_are_not_rendered(tree):
    """A value written around the editor's checks (a raw edit, an old import) still never
    reaches the page as a javascript: address."""
    block = PostPage.body.field.stream_block
    value = block.to_python(
        [
            {"type": "audio", "value": {"document": None, "url": "javascript:alert(1)"}},
            {
                "type": "video",
                "value": {"url": "https://v.example/a.mp4", "poster": "javascript:alert(2)"},
            },  # fmt: skip
            {"type": "file", "value": {"url": "javascript:alert(3)", "text": "x"}},
            {
                "type": "table",
                "value": {
                    "data": [['<img src=x onerror="alert(4)">']],
                    "table_header_choice": "neither",
                },
            },  # fmt: skip
        ]
    )
    html = value.render_as_block()
    assert "javascript:" not in html and "onerror" not in html
    assert 'src="https://v.example/a.mp4"' in html and "poster" not in html


def test_a_file_shows_its_type_and_the_size_wagtail_recorded(tree):
    from django.core.files.base import ContentFile

    report_pdf = get_document_model()(title="Accounts")
    report_pdf.file.save("accounts.pdf", ContentFile(b"%PDF-1.4\n" + b"%" * 2046), save=False)
    report_pdf._set_document_file_metadata()  # what the admin's upload form does
    report_pdf.save()
    block = PostPage.body.field.stream_block
    value = block.to_python([{"type": "file", "value": {"document": report_pdf.pk, "text": ""}}])
    html = value.render_as_block()
    assert f'<a href="{report_pdf.url}" download>Accounts</a>' in html
    assert '<span class="download-meta">(PDF, 2.0\xa0KB)</span>' in html


def test_each_new_block_opens_and_saves_unchanged_in_the_editor(report, admin_client):
    for post in PostPage.objects.all():
        before = post.body.render_as_block()
        assert edit_and_save(admin_client, post) == (200, 302), post.title
        saved = post.get_latest_revision_as_object()
        assert [b.block_type for b in saved.body] == [b.block_type for b in post.body]
        assert saved.body.render_as_block() == before, post.title


def test_export_writes_wordpress_blocks_that_import_back_the_same(report, tmp_path, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://news.example"
    target = tmp_path / "out.xml"
    call_command("export-wordpress", str(target), stdout=io.StringIO())
    items = {i.post_name: i for i in read_wxr(str(target)) if isinstance(i, WPItem)}
    content = items["block-forms"].content
    interview = document("interview.mp3")
    assert "<!-- wp:table -->" in content and "<thead><tr><th>Team</th>" in content
    assert '<figcaption class="wp-element-caption">League table, May</figcaption>' in content
    assert f'<!-- wp:audio {{"id": {2_000_000_000 + interview.pk}}} -->' in content
    assert f'<audio controls src="https://news.example{interview.url}"></audio>' in content
    assert "<!-- wp:video" in content and 'poster="https://media.example/' in content
    minutes = '<div class="wp-block-file"><a href="https://files.elsewhere.example/minutes.docx">'
    assert minutes + "Minutes</a>" in content and "<!-- /wp:file -->" in content
    for slug in ("block-forms", "classic-forms"):
        post = PostPage.objects.get(slug=slug)
        again = Converter().convert(items[slug].content)
        assert [b["type"] for b in again] == [b.block_type for b in post.body]
        tables = [b["value"] for b in again if b["type"] == "table"]
        assert [t["data"] for t in tables] == [t["data"] for t in blocks_of(post, "table")]
        assert [t["table_caption"] for t in tables] == [
            t["table_caption"] for t in blocks_of(post, "table")
        ]
        assert [t["mergeCells"] for t in tables] == [
            t["mergeCells"] for t in blocks_of(post, "table")
        ]
        media = [b["value"] for b in again if b["type"] in {"audio", "video", "file"}]
        shown = [b for b in post.body if b.block_type in {"audio", "video", "file"}]
        assert [m["url"] for m in media] == [
            f"https://news.example{b.value.src}" if b.value.src.startswith("/") else b.value.src
            for b in shown
        ]
        assert [m.get("caption", m.get("text")) for m in media] == [
            b.value.get("caption", b.value.get("text")) for b in shown
        ]
