"""WordPress's own theme unit test data imports completely, and every link of the result works.

The file is kept in the repository (tests/files/wordpress-theme-data, with its source and
licence), so a fresh clone runs this with nothing beside it; it is read, never changed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from lxml import html as lxml_html
from wagtail.models import PageViewRestriction

from byline.blogs.models import PostPage
from byline.comments.models import ReaderComment
from byline.importers.links import LinkMap
from byline.importers.wxr import WPItem, read_wxr
from byline.publication.models import StandardPage

CORPUS = Path(__file__).resolve().parent / "files" / "wordpress-theme-data"
THEME_DATA = CORPUS / "themeunittestdata.wordpress.xml"


@pytest.fixture
def imported(tree, django_db_blocker):
    out = io.StringIO()
    call_command("import-wordpress", str(THEME_DATA), "--blog", "theme", stdout=out)
    return out.getvalue()


def items(post_type: str, status: str) -> list[WPItem]:
    return [
        record
        for record in read_wxr(str(THEME_DATA))
        if isinstance(record, WPItem) and record.post_type == post_type and record.status == status
    ]


def follow(client, url: str, limit: int = 5):
    response = client.get(url)
    while response.status_code in {301, 302} and limit:
        response = client.get(response["Location"])
        limit -= 1
    return response


def check_old_links(client):
    links = LinkMap.for_site("https://wpthemetestdata.wordpress.com")
    published = items("post", "publish") + items("page", "publish")
    assert len(published) == 56 + 21
    for item in published:
        old = links.old_path(item.link)
        response = follow(client, old)
        assert response.status_code == 200, (item.link, old)
        assert response.content.decode().count("<h1") >= 1
        by_id = follow(client, f"/?{'page_id' if item.post_type == 'page' else 'p'}={item.wp_id}")
        assert by_id.status_code == 200
        assert by_id.request["PATH_INFO"] == response.request["PATH_INFO"]


def check_not_public(client):
    for item in items("post", "draft") + items("post", "future"):
        post = PostPage.objects.get(title=item.title)
        assert not post.live
        # The old link leads nowhere new (/?p=ID stays the home page), and the post's own
        # address is not found.
        parts = urlsplit(item.link)
        old = parts.path + (f"?{parts.query}" if parts.query else "")
        assert client.get(old).status_code in {200, 404}
        if post.url:
            assert client.get(post.url).status_code == 404


def check_comments(client):
    approved = ReaderComment.objects.approved()
    assert approved.count() >= 25
    assert approved.filter(parent__isnull=False).exists()  # the threaded-comments post
    for comment in approved.filter(parent__isnull=False)[:5]:
        # The tree address of a post redirects to its dated one.
        html = follow(client, comment.post.url).content.decode()
        snippet = comment.body.split("\n")[0][:40]
        assert snippet in html or snippet.replace("'", "&#x27;") in html


def check_page_comments(client):
    """WordPress pages carry comments too: the approved ones show in their thread."""
    page = StandardPage.objects.get(title="Page with comments")
    assert ReaderComment.objects.filter(post=page).count() == 4
    html = follow(client, page.url).content.decode()
    assert "3 comments" in html
    for text in ("Anonymous comment.", "Contributor comment.", "Author comment."):
        assert text in html
    assert "nothing useful to say" not in html  # held for moderation
    held = StandardPage.objects.get(title="a Blog page")
    assert ReaderComment.objects.filter(post=held, status="pending").count() == 1
    assert "chocolate" not in follow(client, held.url).content.decode().lower()
    kinds = ReaderComment.objects.exclude(kind="comment").values_list("kind", flat=True)
    assert sorted(kinds) == ["pingback", "pingback", "trackback", "trackback"]


def check_report(imported):
    assert "posts created: 58" in imported  # 56 published, a draft, a scheduled one
    assert "pages created: 21" in imported
    assert StandardPage.objects.count() == 21
    assert "nav_menu_item items are not imported" in imported
    assert "pingbacks created: 2" in imported and "trackbacks created: 2" in imported
    assert "comments not imported" not in imported


def check_password_protected(client, imported):
    """The file's one protected post ("the password is enter") asks for it, and its comment
    stays behind the password with the post."""
    (item,) = [
        record
        for record in read_wxr(str(THEME_DATA))
        if isinstance(record, WPItem) and record.post_password
    ]
    post = PostPage.objects.get(title=item.title)
    restriction = PageViewRestriction.objects.get(page=post)
    assert restriction.restriction_type == "password" and restriction.password == "enter"
    assert post.live and post.excerpt == ""
    listed = [line for line in imported.splitlines() if line.startswith("  password-protected")]
    assert listed == [f'  password-protected post "{item.title}" at {post.url}']
    hidden = ("This content, comments, pingbacks", "should not be visible until the password")
    html = follow(client, post.url).content.decode()
    assert "Password required" in html and not any(text in html for text in hidden)
    assert ReaderComment.objects.filter(post=post, status="approved").exists()
    action = re.search(r'<form class="password-form"[^>]*\baction="([^"]+)"', html).group(1)
    client.post(action, {"password": "enter", "return_url": post.url})
    html = client.get(post.url).content.decode()
    assert all(text in html for text in hidden)
    client.logout()  # the rest of the checks read as anonymous readers again


def check_links(client):
    """Crawl the site from its home page: every same-site link (page, tag, author, archive,
    feed) answers 200 once redirects are followed. Links to other sites are not fetched."""
    seen: set[str] = set()
    queue = ["/"]
    queue += [page.url for page in StandardPage.objects.live()]
    queue += [post.url for post in PostPage.objects.live()]
    broken = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = follow(client, url)
        if response.status_code != 200:
            broken.append(url)
            continue
        if "html" not in response.get("Content-Type", "") or len(seen) > 2000:
            continue
        tree = lxml_html.fromstring(response.content)
        for href in tree.xpath("//a/@href"):
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
                continue
            if re.match(r"^/(admin|static|media|documents)/", parts.path) or href[:1] == "#":
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert not broken, broken
    assert len(seen) > 150


def test_theme_unit_test_data_imports_completely(imported, client):
    """One import (it is the slow part), every check of the done-means list against it:
    the report, old links, drafts and scheduled posts, comment threads, and a link check."""
    check_report(imported)
    check_old_links(client)
    check_not_public(client)
    check_comments(client)
    check_page_comments(client)
    check_password_protected(client, imported)
    check_links(client)
