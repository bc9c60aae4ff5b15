"""An imported post opens in the real editor (chromium running Wagtail's own scripts) with
every block an editor can see and change, and saving it from there keeps what it held."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from byline.blogs.models import PostPage
from byline.importers.tests.test_constructs import CORPUS, make_media
from tests.browser.editors import sign_in
from tests.factories import build_site_tree

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_imported_post_opens_and_saves_in_the_editor(live_server, page, tmp_path):
    build_site_tree()
    media = make_media(tmp_path / "uploads")
    call_command(
        "import-wordpress", str(CORPUS), "--blog", "constructs", "--media-dir", str(media),
        stdout=io.StringIO(),
    )  # fmt: skip
    post = PostPage.objects.get(slug="classic")
    kinds = [block.block_type for block in post.body]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server)
    # Wagtail's editor notes the form's first state a while after it loads (its w-unsaved
    # controller, 2 s) and says so with an event: the save must come after it.
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits', () => {"
        " window.bylineWatching = true; });"
    )
    page.goto(f"{live_server.url}/admin/pages/{post.pk}/edit/")
    # Every paragraph block is a working Draftail editor, holding its text.
    editors = page.locator(".Draftail-Editor")
    expect(editors).to_have_count(kinds.count("paragraph"))
    expect(editors.first).to_contain_text("second line of the same paragraph")
    # The table is a spreadsheet an editor fills in; code and embeds are fields of their own.
    values = page.evaluate(
        "[...document.querySelectorAll('textarea, input[type=url], input[type=text]')]"
        ".map((field) => field.value)"
    )
    expect(page.locator(".handsontable td", has_text="Wide cell").first).to_be_visible()
    assert sum('def hello():\n    return "<world>"' in value for value in values) == 1
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in values
    page.wait_for_function("window.bylineWatching === true")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("has been updated")
    # The reloaded editor pings its editing session at once; the shared in-memory SQLite of
    # the test refuses a read while the live server writes, so let the ping finish first.
    page.wait_for_load_state("networkidle")
    assert not errors, errors
    saved = post.get_latest_revision_as_object()
    assert [block.block_type for block in saved.body] == kinds
    assert saved.body.render_as_block() == PostPage.objects.get(pk=post.pk).body.render_as_block()
