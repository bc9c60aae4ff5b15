"""`byline import-wordpress` on small hand-written exports: content, statuses, links, reruns."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page

from byline.blogs.models import Author, BlogPage, PostPage
from byline.comments.models import ReaderComment
from byline.importers.models import ImportedItem
from byline.publication.models import StandardPage

FILES = Path(__file__).parent / "files"


def run_import(name: str | Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import-wordpress", str(FILES / name), *args, stdout=out)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        Page.objects.count(),
        Author.objects.count(),
        Tag.objects.count(),
        Redirect.objects.count(),
        ReaderComment.objects.count(),
        ImportedItem.objects.count(),
    )


def test_the_command_is_spelled_with_a_hyphen():
    """Django finds commands by file name, so import-wordpress.py is `import-wordpress`."""
    assert get_commands()["import-wordpress"] == "byline.importers"
    assert get_commands()["export-wordpress"] == "byline.importers"


def test_posts_pages_authors_and_tags_arrive(tree, client):
    report = run_import("small.xml", "--blog", "small")
    blog = BlogPage.objects.get(slug="small")
    first = PostPage.objects.child_of(blog).get(slug="first-post")
    assert first.live and first.title == "First post"
    assert first.date.isoformat() == "2020-05-01T12:00:00+00:00"  # the GMT date
    assert first.excerpt == "The first one."
    assert [a.name for a in first.authors] == ["Ann Writer"]
    assert sorted(t.slug for t in first.tags.all()) == ["kittens", "news"]
    assert ImportedItem.objects.get(kind="post", wp_key="10").sticky
    assert not PostPage.objects.get(slug="second-post").comments_open
    team = StandardPage.objects.get(slug="team")
    assert team.get_parent().slug == "about" and team.url == "/about/team/"
    assert "posts created: 4" in report and "Import finished." in report


def test_content_is_converted_and_sanitized(tree, client):
    run_import("small.xml", "--blog", "small")
    first = PostPage.objects.get(slug="first-post")
    kinds = [block.block_type for block in first.body]
    # The images are not among the imported files: kept, hot-linked, in HTML blocks.
    assert kinds == ["paragraph", "html", "html", "embed", "heading", "quotation", "code"]
    html = client.get(first.url).content.decode()
    assert "<i>world</i>" in html  # as Wagtail's editor writes italics
    assert "alert(" not in html and "onerror" not in html
    assert "line 1\nline 2</code></pre>" in html  # preformatted text keeps its newlines
    assert first.body[4].value["level"] == "h2"  # an <h1> in a post is a section heading
    assert first.body[5].value["speaker"] == "Somebody"
    second = PostPage.objects.get(slug="second-post")
    kinds = [block.block_type for block in second.body]
    # The table in a table block; the rule, which rich text cannot hold, in sanitised HTML.
    assert kinds == [
        "paragraph", "heading", "quotation", "table", "embed", "paragraph", "html", "paragraph"
    ]  # fmt: skip
    assert second.body[4].value.url == "https://vimeo.com/12345"
    rendered = client.get(second.url).content.decode()
    assert "<table>" in rendered and "Left" in rendered and "Right" in rendered
    assert "Kept text" in rendered and "<marquee" not in rendered


def test_links_between_imported_posts_are_rewritten(tree, client):
    run_import("small.xml", "--blog", "small")
    first = PostPage.objects.get(slug="first-post")
    second = PostPage.objects.get(slug="second-post")
    html = client.get(first.url).content.decode()
    assert f'href="{second.url}"' in html
    assert "small.example/2020/06" not in html and "?p=11" not in html
    html = client.get(second.url).content.decode()
    assert f'href="{first.url}"' in html
    assert 'href="/tags/news/"' in html and 'href="/about/"' in html


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/2020/05/first-post/", "/blogs/small/2020/05/first-post/"),
        ("/2020/05/first-post", "/blogs/small/2020/05/first-post/"),
        ("/?p=10", "/blogs/small/2020/05/first-post/"),
        # Shared on Facebook, sent in a newsletter, a comment's reply link: still the post.
        ("/?p=11&fbclid=IwAR0abc", "/blogs/small/2020/06/second-post/"),
        ("/?utm_source=news&p=11&utm_medium=email", "/blogs/small/2020/06/second-post/"),
        ("/?p=10&replytocom=4", "/blogs/small/2020/05/first-post/"),
        ("/?page_id=20&fbclid=x", "/about/"),
        ("/?p=999&fbclid=x", None),
        ("/?page_id=20", "/about/"),
        ("/about/team/", "/about/team/"),
        ("/category/news/", "/tags/news/"),
        ("/category/news/feed/", "/tags/news/feed/"),
        ("/tag/kittens/", "/tags/kittens/"),
        ("/author/ann/", "/authors/ann/"),
        ("/2020/", "/blogs/small/2020/"),
        ("/2020/06/", "/blogs/small/2020/06/"),
    ],
)
def test_old_addresses_redirect_permanently(tree, client, old, new):
    run_import("small.xml", "--blog", "small")
    response = client.get(old)
    if new is None:  # an unknown id is no old address: the page answers as usual
        assert response.status_code == 200
        return
    if old == new:  # a page whose address did not change needs no redirect
        assert response.status_code == 200
        return
    assert response.status_code == 301, old
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_drafts_and_scheduled_posts_are_not_public(tree, client):
    run_import("small.xml", "--blog", "small")
    draft = PostPage.objects.get(slug="unfinished")
    scheduled = PostPage.objects.get(slug="coming-soon")
    assert not draft.live and draft.date is None
    assert not scheduled.live and scheduled.go_live_at.year == 2099
    assert client.get("/blogs/small/2099/01/coming-soon/").status_code == 404
    # No redirect that would reveal a draft, with WordPress's parameters alone or not.
    assert client.get("/?p=12").status_code == 200
    assert client.get("/?p=12&fbclid=x").status_code == 200
    assert not Redirect.objects.filter(old_path="/2099/01/coming-soon").exists()
    assert "Unfinished" not in client.get("/blogs/small/").content.decode()


def test_comments_keep_threads_and_statuses(tree, client):
    report = run_import("small.xml", "--blog", "small")
    first = PostPage.objects.get(slug="first-post")
    comments = {c.name: c for c in ReaderComment.objects.filter(post=first)}
    assert comments["Reader One"].status == "approved"
    assert comments["Reader One"].body == "Nice post!"
    assert comments["Ann Writer"].parent == comments["Reader One"]
    assert comments["Spammer"].status == "spam"
    assert comments["Held"].status == "pending"
    assert comments["Other Blog"].status == "approved"
    assert comments["Other Blog"].kind == "pingback"
    assert comments["Reader One"].kind == "comment"
    assert "pingbacks created: 1" in report and "trackbacks created: 1" in report
    html = client.get(first.url).content.decode()
    assert "Nice post!" in html and "Thanks!" in html
    assert "Buy things" not in html and "Waiting" not in html
    # The pingback is listed apart from the conversation, as a mention.
    assert "Mentions elsewhere" in html and "1 comment" not in html
    assert html.index("Thanks!") < html.index("Mentions elsewhere")


def test_comments_on_pages_arrive_in_their_threads(tree, client):
    run_import("small.xml", "--blog", "small")
    about = StandardPage.objects.get(slug="about")
    assert about.comments_open and not StandardPage.objects.get(slug="team").comments_open
    comments = {c.name: c for c in ReaderComment.objects.filter(post=about)}
    assert comments["Ann Writer"].parent == comments["Page Reader"]
    assert comments["Elsewhere"].kind == "trackback"
    assert comments["Unsure"].status == "pending"
    response = client.get(about.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 comments" in html
    # The reply is inside its parent's list item, in a nested list.
    thread = html[html.index("Who writes here?") : html.index("Mentions elsewhere")]
    assert '<ol class="comment-replies">' in thread and "I do." in thread
    assert 'href="http://elsewhere.example/a" rel="nofollow ugc">Elsewhere</a>' in html
    assert "Held for moderation" not in html


def test_a_second_run_duplicates_nothing(tree):
    run_import("small.xml", "--blog", "small")
    before = snapshot()
    report = run_import("small.xml", "--blog", "small")
    assert snapshot() == before
    assert "posts unchanged: 4" in report and "posts created" not in report


def test_mappings_written_between_items_are_not_duplicated(tree, monkeypatch):
    """A large import writes its mappings every few hundred rows and forgets them; a small
    batch makes this file do the same."""
    from byline.importers import pages

    monkeypatch.setattr(pages, "MAPPINGS_BATCH", 1)
    run_import("small.xml", "--blog", "small")
    before = snapshot()
    assert ImportedItem.objects.filter(kind="comment").count() == 9
    report = run_import("small.xml", "--blog", "small")
    assert snapshot() == before
    assert "posts unchanged: 4" in report and "pages unchanged: 2" in report


def test_a_second_run_updates_what_changed(tree, tmp_path):
    run_import("small.xml", "--blog", "small")
    changed = tmp_path / "changed.xml"
    text = (FILES / "small.xml").read_text().replace("Hello <em>world</em>", "Hello again")
    changed.write_text(
        text.replace("<title>First post</title>", "<title>First post, edited</title>")
    )
    before = snapshot()
    report = run_import(changed, "--blog", "small")
    assert snapshot() == before
    first = PostPage.objects.get(slug="first-post")
    assert first.title == "First post, edited"
    assert "Hello again" in str(first.body[0].value)
    assert "posts updated: 1" in report


def test_a_second_run_keeps_what_moderators_did_to_comments_wordpress_did_not_change(
    tree, tmp_path
):
    """Approved, marked as spam or deleted here since the last run: a re-run of the same
    export leaves each so (it put the spam back before); a comment WordPress changed since
    is updated from the file."""
    run_import("small.xml", "--blog", "small")
    held = ReaderComment.objects.get(name="Held")
    nice = ReaderComment.objects.get(name="Reader One")
    spam = ReaderComment.objects.get(name="Spammer")
    assert (held.status, nice.status, spam.status) == ("pending", "approved", "spam")
    ReaderComment.objects.filter(pk=held.pk).update(status="approved")
    ReaderComment.objects.filter(pk=nice.pk).update(status="spam")
    spam.delete()
    report = run_import("small.xml", "--blog", "small")
    assert ReaderComment.objects.get(pk=held.pk).status == "approved"
    assert ReaderComment.objects.get(pk=nice.pk).status == "spam"
    assert not ReaderComment.objects.filter(name="Spammer").exists()
    assert "comments unchanged: 8" in report and "comments updated" not in report
    assert "comments deleted in Byline, not brought back: 1" in report
    changed = tmp_path / "changed.xml"
    changed.write_text((FILES / "small.xml").read_text().replace("Waiting", "Waiting, edited"))
    run_import(changed, "--blog", "small")
    edited = ReaderComment.objects.get(pk=held.pk)
    assert edited.body == "Waiting, edited" and edited.status == "pending"


def test_dry_run_changes_nothing(tree):
    before = snapshot()
    report = run_import("small.xml", "--blog", "small", "--dry-run")
    assert snapshot() == before
    assert report.startswith("Dry run: nothing was saved.")
    assert "posts created: 4" in report


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("not-xml.txt", "line 1: not well-formed XML"),
        ("truncated.xml", "truncated"),
        ("wrong-encoding.xml", "not in the encoding the file declares"),
        ("atom.xml", "not a WordPress export: its root element is <feed>"),
        ("plain-rss.xml", "an RSS feed, not a WordPress export"),
        ("xxe.xml", "line 3: the file has a DOCTYPE"),
        ("billion-laughs.xml", "the file has a DOCTYPE"),
    ],
)
def test_a_file_that_cannot_be_imported_changes_nothing(tree, name, expected):
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        run_import(name, "--blog", "small")
    assert expected in str(raised.value) and "Nothing was changed" in str(raised.value)
    assert name in str(raised.value)
    assert snapshot() == before


def test_a_file_failing_half_way_leaves_the_site_as_it_was(tree, tmp_path):
    """The first items are valid; the file breaks after them. No post of it is kept."""
    text = (FILES / "small.xml").read_text()
    broken = tmp_path / "broken.xml"
    broken.write_text(text[: text.index("<title>About</title>")] + "<wp:post_id>oops</item>")
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("import-wordpress", str(broken), stdout=io.StringIO())
    assert snapshot() == before


def test_the_command_exits_non_zero_on_bad_input(tree):
    from byline.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["import-wordpress", str(FILES / "xxe.xml")])
    assert exited.value.code != 0


def test_entities_are_never_resolved(tree):
    """Nothing of /etc/passwd can reach the site, whatever the parser would have done."""
    with pytest.raises(CommandError):
        run_import("xxe.xml")
    assert not PostPage.objects.filter(title__contains="root:").exists()


def test_absurd_dates_skip_their_item_and_say_why(tree):
    report = run_import("absurd-dates.xml", "--blog", "small")
    assert list(PostPage.objects.values_list("slug", flat=True)) == ["fine"]
    assert "skipped line" in report
    assert report.count("skipped line") == 4
    assert "the date '2020-13-45 00:00:00' is not a real date" in report
    assert "the date '99999-01-01 00:00:00' is not a real date" in report
    assert "the date 'yesterday' is not a real date" in report


def test_duplicate_slugs_get_a_number(tree):
    report = run_import("duplicate-slugs.xml", "--blog", "small")
    slugs = sorted(PostPage.objects.values_list("slug", flat=True))
    assert slugs == ["same", "same-2", "same-3"]
    assert "slug 'same' was taken; 'same-2' used instead" in report


def test_missing_authors_and_parents_are_reported(tree):
    report = run_import("missing-references.xml", "--blog", "small")
    assert PostPage.objects.get(slug="by-ghost").authors[0].name == "ghost"
    assert "author 'ghost' is not declared" in report
    orphan = StandardPage.objects.get(slug="orphan")
    assert orphan.get_parent().specific == tree.home
    assert "parent page 999 is not in the file" in report
    comment = ReaderComment.objects.get(body="Reply to nothing")
    assert comment.parent is None
    assert "replies to 777, which is not in the file" in report


def test_authors_from_dc_creator_alone(tree):
    """WordPress.com and some plugins export no wp:author entries, only dc:creator."""
    run_import("creators-only.xml", "--blog", "small")
    assert sorted(Author.objects.values_list("slug", flat=True)) == [
        "bob",
        "jane-doe",
        "scott-bekker",
    ]
    post = PostPage.objects.get(slug="one")
    assert post.authors[0].name == "Jane Doe"
    # No GMT date: the local one is taken in the site's time zone.
    assert post.date.isoformat() == "2020-01-01T00:00:00+00:00"


def test_attachments_from_the_media_dir(tree, tmp_path, client):
    """The export's uploads URL names a file inside --media-dir; a path that climbs out of it
    is never read."""
    from PIL import Image as PILImage

    uploads = tmp_path / "uploads"
    (uploads / "2020" / "05").mkdir(parents=True)
    PILImage.new("RGB", (40, 30), "red").save(uploads / "2020" / "05" / "cat.jpg")
    (tmp_path / "secret.txt").write_text("secret")
    text = (FILES / "small.xml").read_text()
    attachment = """<item><title>A cat</title><link>http://small.example/cat/</link>
<wp:post_id>30</wp:post_id><wp:post_date>2020-05-01 00:00:00</wp:post_date>
<wp:post_name>cat</wp:post_name><wp:status>inherit</wp:status><wp:post_parent>10</wp:post_parent>
<wp:post_type>attachment</wp:post_type>
<wp:attachment_url>http://small.example/wp-content/uploads/2020/05/cat.jpg</wp:attachment_url>
<excerpt:encoded><![CDATA[A <em>red</em> cat &amp; friends]]></excerpt:encoded>
</item>
<item><title>Climber</title><wp:post_id>31</wp:post_id>
<wp:post_date>2020-05-01 00:00:00</wp:post_date>
<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>http://small.example/wp-content/uploads/../../secret.txt</wp:attachment_url>
</item>"""
    text = text.replace("</channel>", attachment + "</channel>")
    text = text.replace(
        '<img src="http://elsewhere.example/cat.jpg"',
        '<img src="http://small.example/wp-content/uploads/2020/05/cat-300x200.jpg"',
    )
    text = text.replace("<wp:is_sticky>1</wp:is_sticky>", "<wp:is_sticky>1</wp:is_sticky>"
                        "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
                        "<wp:meta_value>30</wp:meta_value></wp:postmeta>")  # fmt: skip
    export = tmp_path / "with-media.xml"
    export.write_text(text)
    report = run_import(export, "--blog", "small", "--media-dir", str(uploads))
    image = get_image_model().objects.get()
    assert image.title == "A cat" and image.width == 40
    assert image.file_size > 0 and len(image.file_hash) == 40  # as an upload records them
    first = PostPage.objects.get(slug="first-post")
    assert first.lead_image == image
    # The featured image's caption (its attachment's excerpt) is the lead image's, as text.
    assert first.lead_image_caption == "A red cat & friends"
    figure = next(block for block in first.body if block.block_type == "figure")
    assert figure.value["image"].pk == image.pk
    assert figure.value["caption"] == "A cat"
    assert "secret.txt not found in --media-dir" in report
    page = client.get(first.url)
    assert page.status_code == 200
    assert "<figcaption>A red cat &amp; friends</figcaption>" in page.content.decode()


def test_the_progress_bar_redraws_one_line():
    """On a terminal the bar is redrawn in place (\\r), once per percent from 0 to 100 (101
    draws for 200 items), and ends the line."""
    import importlib

    module = importlib.import_module("byline.importers.management.commands.import-wordpress")
    stream = io.StringIO()
    bar = module._ProgressBar(stream)
    for done in range(1, 201):
        bar.update(done, 200)
    bar.close()
    text = stream.getvalue()
    assert text.count("\r") == 101 and text.endswith("100% (200/200 items)\n")


def test_query_strings_that_are_not_wordpress_pass_through(tree, client):
    """The legacy-address middleware only looks up WordPress's own parameters."""
    run_import("small.xml", "--blog", "small")
    assert client.get("/?page=2").status_code == 200
    assert client.get("/?p=999999").status_code == 200  # unknown id: the home page as ever


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"></rss>',
        '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<title>Empty</title><link>http://empty.example</link></channel></rss>",
    ],
)
def test_an_export_of_nothing_is_refused_and_changes_nothing(tree, tmp_path, text):
    """It made the blog and pointed the site's old feed addresses at it before."""
    export = tmp_path / "empty.xml"
    export.write_text(text)
    before = (snapshot(), Redirect.objects.count())
    with pytest.raises(CommandError, match="nothing to import. Nothing was changed."):
        run_import(export, "--blog", "empty")
    assert (snapshot(), Redirect.objects.count()) == before


def test_terms_longer_than_a_tag_holds_are_cut_to_one_tag_not_a_crash(tree, tmp_path):
    """WordPress allows 200 characters, a tag 100: two terms alike in their first 100 were
    looked up whole, made cut, and the second refused by the database (a traceback)."""
    stem = "a-very-long-term-" * 6  # 102 characters
    terms = "".join(
        f'<category domain="post_tag" nicename="{stem}{n}"><![CDATA[{stem}{n}]]></category>'
        for n in (1, 2)
    )
    text = (FILES / "small.xml").read_text()
    text = text.replace("<wp:post_name>first-post</wp:post_name>",
                        "<wp:post_name>first-post</wp:post_name>" + terms, 1)  # fmt: skip
    export = tmp_path / "long-terms.xml"
    export.write_text(text)
    report = run_import(export, "--blog", "small")
    assert Tag.objects.filter(slug=stem[:100]).count() == 1
    assert "longer than the 100 characters a tag holds" in report


def test_an_author_byline_already_has_keeps_their_name_through_every_run(tree, tmp_path):
    """The login matches an author of the site (on the slug): their posts are credited to
    them, and the export's display name does not rename them, on the first run or later."""
    mine = Author.objects.create(name="Ann Writer-Smith", slug="ann")
    reports = []
    for _ in range(2):
        reports.append(run_import("small.xml", "--blog", "small"))
        mine.refresh_from_db()
        assert mine.name == "Ann Writer-Smith"
        assert Author.objects.filter(slug__startswith="ann").count() == 1
    assert "author 'ann' is Byline's author 'Ann Writer-Smith'" in reports[0]
    assert PostPage.objects.get(slug="first-post").authors == [mine]


def test_two_logins_that_slugify_alike_are_two_authors(tree, tmp_path):
    """john.smith and johnsmith are both /authors/johnsmith/ by their slug: two people."""
    text = (FILES / "small.xml").read_text()
    second = (
        "<wp:author><wp:author_id>2</wp:author_id><wp:author_login>john.smith</wp:author_login>"
        "<wp:author_display_name><![CDATA[John Smith (dotted)]]></wp:author_display_name>"
        "</wp:author><wp:author><wp:author_id>3</wp:author_id>"
        "<wp:author_login>johnsmith</wp:author_login><wp:author_display_name><![CDATA[John "
        "Smith Two]]></wp:author_display_name></wp:author>"
    )
    text = text.replace("<wp:category>", second + "<wp:category>", 1)
    export = tmp_path / "authors.xml"
    export.write_text(text)
    report = run_import(export, "--blog", "small")
    names = dict(Author.objects.filter(slug__startswith="johnsmith").values_list("slug", "name"))
    assert names == {"johnsmith": "John Smith (dotted)", "johnsmith-2": "John Smith Two"}
    assert "this one is at /authors/johnsmith-2/" in report
    authors = Author.objects.count()
    run_import(export, "--blog", "small")  # a re-run finds each by its login
    assert Author.objects.count() == authors
    assert Author.objects.get(slug="johnsmith-2").name == "John Smith Two"


def test_a_rerun_keeps_the_redirects_an_editor_changed_or_deleted(tree, client, tmp_path):
    """In Wagtail's redirects admin an editor points an old address elsewhere and deletes
    another: the next run of the same export neither undoes the one nor brings back the
    other, and says so; the redirects nobody touched are still the import's."""
    from django.contrib.auth import get_user_model

    run_import("small.xml", "--blog", "small")
    editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(editor)
    moved = Redirect.objects.get(old_path="/2020/05/first-post")
    response = client.post(
        f"/admin/redirects/{moved.pk}/",
        {
            "old_path": "/2020/05/first-post",
            "site": moved.site_id,
            "is_permanent": "on",
            "redirect_page": "",
            "redirect_page_route_path": "",
            "redirect_link": "https://example.org/elsewhere/",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    gone = Redirect.objects.get(old_path="/category/news")
    response = client.post(f"/admin/redirects/{gone.pk}/delete/")
    assert response.status_code == 302
    client.logout()

    report = run_import("small.xml", "--blog", "small")
    moved.refresh_from_db()
    assert moved.redirect_link == "https://example.org/elsewhere/"
    assert moved.redirect_page_id is None
    assert not Redirect.objects.filter(old_path="/category/news").exists()
    assert "/2020/05/first-post (changed by an editor)" in report
    assert "/category/news (deleted by an editor)" in report
    assert "redirects kept as edited: 2" in report
    assert client.get("/2020/05/first-post/")["Location"] == "https://example.org/elsewhere/"
    assert client.get("/2020/06/second-post/")["Location"] == "/blogs/small/2020/06/second-post/"


def test_utf8_text_under_another_declared_encoding_is_read_as_utf8(tree, tmp_path):
    """A hand-edited export says ISO-8859-1 but holds WordPress's UTF-8: read as declared,
    every accented letter became two (Café as CafÃ©) in every post, without a word."""
    text = (FILES / "small.xml").read_text()
    text = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1)
    text = text.replace("<title>First post</title>", "<title>Café crème, naïve</title>")
    export = tmp_path / "mislabelled.xml"
    export.write_bytes(text.encode("utf-8"))
    report = run_import(export, "--blog", "small")
    assert PostPage.objects.get(slug="first-post").title == "Café crème, naïve"
    assert "declares the encoding 'ISO-8859-1', but its text is UTF-8" in report


def test_latin1_text_as_declared_is_still_latin1(tree, tmp_path):
    text = (FILES / "small.xml").read_text()
    text = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1)
    text = text.replace("<title>First post</title>", "<title>Café crème</title>")
    export = tmp_path / "latin1.xml"
    export.write_bytes(text.encode("latin-1"))
    report = run_import(export, "--blog", "small")
    assert PostPage.objects.get(slug="first-post").title == "Café crème"
    assert "declares the encoding" not in report


@pytest.mark.parametrize(
    "cut",
    [
        "<!-- a note an editor left -->",  # cut inside a comment
        "<wp:post_name>",  # inside a tag's name
        "<![CDATA[Hello",  # inside CDATA
        '<category domain="',  # inside an attribute
    ],
)
def test_a_file_cut_short_anywhere_is_called_truncated(tree, tmp_path, cut):
    """libxml2 names what it was reading when the bytes ran out ("Comment not
    terminated"…); the message says what happened to the file."""
    text = (FILES / "small.xml").read_text()
    if cut.startswith("<!--"):
        text = text.replace("<title>About</title>", cut + "<title>About</title>", 1)
    at = text.rindex(cut) + len(cut) // 2
    export = tmp_path / "cut.xml"
    export.write_text(text[:at])
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        run_import(export, "--blog", "small")
    assert "truncated" in str(raised.value), str(raised.value)
    assert snapshot() == before


def test_a_file_cut_inside_a_letter_is_truncated_not_mis_encoded(tree, tmp_path):
    text = (FILES / "small.xml").read_text().replace("<title>About</title>", "<title>Café</title>")
    data = text.encode("utf-8")
    export = tmp_path / "cut.xml"
    export.write_bytes(data[: data.index("Café".encode()) + 4])  # C, a, f and half of é
    with pytest.raises(CommandError) as raised:
        run_import(export, "--blog", "small")
    assert "truncated" in str(raised.value) and "encoding" not in str(raised.value)


@pytest.mark.parametrize("trailing", ["", " \n" * 3000])
def test_a_file_broken_in_the_middle_is_not_called_truncated(tree, tmp_path, trailing):
    text = (FILES / "small.xml").read_text()
    export = tmp_path / "broken.xml"
    export.write_text(text.replace("<title>About</title>", "<title>About</titel>", 1) + trailing)
    with pytest.raises(CommandError) as raised:
        run_import(export, "--blog", "small")
    assert "not well-formed XML" in str(raised.value)
    assert "truncated" not in str(raised.value)


def test_something_after_the_closing_rss_is_named(tree, tmp_path):
    """A PHP warning printed into the export after </rss>: not a truncated file."""
    text = (FILES / "small.xml").read_text()
    export = tmp_path / "warning.xml"
    export.write_text(text + "<br />\n<b>Warning</b>: Cannot modify header information\n")
    with pytest.raises(CommandError) as raised:
        run_import(export, "--blog", "small")
    assert "something follows the closing </rss>" in str(raised.value)
    assert "truncated" not in str(raised.value)


def test_a_wxr_version_byline_does_not_know_is_named(tree, tmp_path):
    text = (FILES / "small.xml").read_text().replace("/export/1.1/", "/export/2.0/")
    export = tmp_path / "wxr2.xml"
    export.write_text(text)
    with pytest.raises(CommandError) as raised:
        run_import(export, "--blog", "small")
    assert "WXR version 2.0, which Byline does not know" in str(raised.value)


def test_two_terms_with_one_name_become_one_tag_and_the_report_says_so(tree, tmp_path, client):
    """Two categories "News" (news, and news-2 under another parent): a tag's name is
    unique, so both are the tag News; the report names the second and where it went."""
    text = (FILES / "small.xml").read_text()
    other = (
        "<wp:category><wp:term_id>90</wp:term_id><wp:category_nicename>news-2"
        "</wp:category_nicename><wp:category_parent>news</wp:category_parent><wp:cat_name>"
        "<![CDATA[News]]></wp:cat_name></wp:category>"
    )
    text = text.replace("<wp:category>", other + "<wp:category>", 1)
    text = text.replace(
        '<category domain="category" nicename="news">',
        '<category domain="category" nicename="news-2"><![CDATA[News]]></category>'
        '<category domain="category" nicename="news">',
        1,
    )
    export = tmp_path / "two-news.xml"
    export.write_text(text)
    report = run_import(export, "--blog", "small")
    assert Tag.objects.filter(name__iexact="news").count() == 1
    assert "term 'news-2' has the name 'News', as the tag /tags/news/ has" in report
    assert "it is that tag" in report
    assert client.get("/category/news-2/")["Location"] == "/tags/news/"


def test_an_editors_redirect_on_another_site_leaves_this_sites_alone(tree, client):
    """The log says which redirect an editor touched, not on which site: the rows do."""
    from django.contrib.auth import get_user_model
    from wagtail.models import Site

    other = Site.objects.create(hostname="other.example", port=80, root_page=tree.home)
    run_import("small.xml", "--blog", "small")
    ours = Redirect.objects.get(old_path="/2020/05/first-post")
    ours.redirect_page, ours.redirect_link = None, "/stale/"
    ours.save()
    Redirect.objects.filter(old_path="/2020/06/second-post").delete()  # not by an editor
    editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(editor)
    response = client.post(
        "/admin/redirects/add/",
        {
            "old_path": "/2020/05/first-post",
            "site": other.pk,
            "is_permanent": "on",
            "redirect_link": "https://example.org/theirs/",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    report = run_import("small.xml", "--blog", "small")
    ours.refresh_from_db()
    assert ours.redirect_link == "" and ours.redirect_page.slug == "first-post"
    assert Redirect.objects.filter(old_path="/2020/06/second-post", site=ours.site).exists()
    assert "kept as an editor left them" not in report
    theirs = Redirect.objects.get(old_path="/2020/05/first-post", site=other)
    assert theirs.redirect_link == "https://example.org/theirs/"
