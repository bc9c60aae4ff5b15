"""Attachments from --media-dir: only what the admin's image upload would take becomes an image."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from byline.blogs.models import PostPage

FILES = Path(__file__).parent / "files"

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">'
    '<script>alert(document.cookie)</script><rect width="40" height="30"/></svg>'
)


def attachment(wp_id: int, title: str, name: str) -> str:
    return f"""<item><title>{title}</title><wp:post_id>{wp_id}</wp:post_id>
<wp:post_date>2020-05-01 00:00:00</wp:post_date><wp:status>inherit</wp:status>
<wp:post_parent>10</wp:post_parent><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>http://small.example/wp-content/uploads/2020/05/{name}</wp:attachment_url>
</item>"""


def jpeg() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def uploads(tmp_path) -> Path:
    folder = tmp_path / "uploads" / "2020" / "05"
    folder.mkdir(parents=True)
    (folder / "cat.jpg").write_bytes(jpeg())
    (folder / "drawing.svg").write_text(SVG)
    (folder / "sneaky.png").write_text(SVG)  # an SVG under an image's name
    (folder / "cut.jpg").write_bytes(jpeg()[:200])  # a header, then nothing
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    return tmp_path / "uploads"


def test_files_the_admin_would_refuse_are_named_and_left_out(tree, tmp_path, uploads):
    items = [
        attachment(40, "A cat", "cat.jpg"),
        attachment(41, "A drawing", "drawing.svg"),
        attachment(42, "Sneaky", "sneaky.png"),
        attachment(43, "Cut short", "cut.jpg"),
        attachment(44, "Notes", "notes.pdf"),
    ]
    text = (FILES / "small.xml").read_text().replace("</channel>", "".join(items) + "</channel>")
    export = tmp_path / "with-media.xml"
    export.write_text(text)
    out = io.StringIO()
    call_command(
        "import-wordpress", str(export), "--blog", "small", "--media-dir", str(uploads), stdout=out
    )
    report = out.getvalue()

    assert "2020/05/drawing.svg refused: Not a supported image format." in report
    assert "2020/05/sneaky.png refused:" in report
    assert "2020/05/cut.jpg refused: This image could not be read" in report
    # The rest of the import went on: the good image, the document, the posts.
    assert list(get_image_model().objects.values_list("title", flat=True)) == ["A cat"]
    assert list(get_document_model().objects.values_list("title", flat=True)) == ["Notes"]
    assert PostPage.objects.filter(slug="first-post").exists()
    stored = {path.name for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}
    assert not any(name.startswith(("drawing", "sneaky", "cut")) for name in stored)


def test_a_refused_image_is_refused_on_a_dry_run_too(tree, tmp_path, uploads):
    text = (FILES / "small.xml").read_text()
    text = text.replace("</channel>", attachment(41, "A drawing", "drawing.svg") + "</channel>")
    export = tmp_path / "svg.xml"
    export.write_text(text)
    out = io.StringIO()
    call_command(
        "import-wordpress",
        str(export),
        "--blog",
        "small",
        "--media-dir",
        str(uploads),
        "--dry-run",
        stdout=out,
    )
    assert "2020/05/drawing.svg refused" in out.getvalue()


@pytest.mark.parametrize("stop", ["SIGTERM", "Ctrl-C"])
def test_a_stopped_import_changes_nothing_and_leaves_no_file(
    tree, tmp_path, uploads, monkeypatch, stop
):
    """SIGTERM (systemd, docker, `timeout`) ended the process where it stood: the database
    rolled back, the media files it had stored stayed. It unwinds as Ctrl-C does now, and
    both end with a message, not a traceback."""
    import os
    import signal

    from django.core.management import CommandError

    from byline.importers import pages

    def stopped(state, scanned):
        assert state.stored_files  # the image and the document are on disk by now
        if stop == "SIGTERM":
            os.kill(os.getpid(), signal.SIGTERM)
        raise KeyboardInterrupt

    monkeypatch.setattr(pages, "import_items", stopped)
    items = [attachment(40, "A cat", "cat.jpg"), attachment(44, "Notes", "notes.pdf")]
    text = (FILES / "small.xml").read_text().replace("</channel>", "".join(items) + "</channel>")
    export = tmp_path / "with-media.xml"
    export.write_text(text)
    before = {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}
    why = "stopped \\(SIGTERM\\)" if stop == "SIGTERM" else "interrupted"
    with pytest.raises(CommandError, match=f"the import was {why}. Nothing was changed."):
        call_command("import-wordpress", str(export), "--blog", "small",
                     "--media-dir", str(uploads), stdout=io.StringIO())  # fmt: skip
    assert {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()} == before
    assert not get_image_model().objects.exists() and not PostPage.objects.exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # as it was
