"""What is private stays private: a post under a view restriction (a password, signed-in
users only, or a group) is absent from every reader-facing path, refused at its address to
whoever may not read it, with and without the page store, and back everywhere at once when
the restriction is lifted.

The site has two posts by the same columnist with the same tag: "Open column" (July 2011)
and "Embargoed column" (August 2011), whose body holds a word found nowhere else
("zanzibar") and which carries an approved comment. Every check looks for the embargoed
post's slug, title or word in what a path answers.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Page, PageViewRestriction

from byline.blogs.models import BlogPage, PostPage
from byline.blogs.visibility import readable_q
from byline.comments.models import CommentStatus, ReaderComment
from byline.comments.tests.conftest import submit
from byline.featured.models import FeaturedItem, FeaturedList
from byline.pagecache import keys, store
from byline.pagecache.tests.conftest import REDIS_TEST_URL, STORES, StoreClient
from tests.factories import build_site_tree, make_post, publish

pytestmark = pytest.mark.django_db

KINDS = ["password", "login", "groups"]
SECRET = "/blogs/bekkers-blog/2011/08/embargoed/"
OPEN = "/blogs/bekkers-blog/2011/07/open-column/"
# Every reader path that lists, counts, links or carries posts (the secret post's own comment
# feed is checked apart: it is refused, not emptied).
LISTINGS = [
    "/",
    "/blogs/bekkers-blog/",
    "/blogs/bekkers-blog/2011/",
    "/authors/scott-bekker/",
    "/tags/microsoft/",
    "/feed/",
    "/atom/",
    "/feed.json",
    "/blogs/bekkers-blog/feed/",
    "/blogs/bekkers-blog/atom/",
    "/blogs/bekkers-blog/feed.json",
    "/authors/scott-bekker/feed/",
    "/authors/scott-bekker/atom/",
    "/authors/scott-bekker/feed.json",
    "/tags/microsoft/feed/",
    "/tags/microsoft/atom/",
    "/tags/microsoft/feed.json",
    "/sitemap.xml",
    "/sitemap-all.xml",
    "/sitemap-posts-0.xml",
    "/blogs/bekkers-blog/comments/feed/",
    "/search/?q=zanzibar",
    "/search/?q=column",
    OPEN,  # its "next post" link
]


def shows_a_post(text: str) -> bool:
    """Either post of the blog, by title or address (not the word "column" alone, which the
    page's own furniture may use: "Get Scott Bekker's column by e-mail")."""
    lowered = text.lower()
    return "open column" in lowered or "open-column" in lowered or shows_secret(text)


def shows_secret(text: str) -> bool:
    lowered = text.lower()
    return "embargoed" in lowered or "zanzibar" in lowered


@pytest.fixture
def site(db):
    tree = build_site_tree()
    make_post(
        tree.blog,
        title="Open column",
        slug="open-column",
        authors=[tree.author],
        tags=["microsoft"],
        date=datetime.datetime(2011, 7, 13, 12, tzinfo=datetime.UTC),
    )
    secret = make_post(
        tree.blog,
        title="Embargoed column",
        slug="embargoed",
        authors=[tree.author],
        tags=["microsoft"],
        excerpt="The embargoed standfirst.",
        body=[("paragraph", "<p>Zanzibar is the embargoed word.</p>")],
        date=datetime.datetime(2011, 8, 2, 12, tzinfo=datetime.UTC),
    )
    ReaderComment.objects.create(
        post=secret,
        name="Ann",
        email="ann@example.com",
        body="Zanzibar, says the comment.",
        status=CommentStatus.APPROVED,
    )
    tree.secret = secret
    return tree


def unechoed(path: str, text: str) -> str:
    """The page without the search words it repeats back (the search box, the heading)."""
    _, _, query = path.partition("?q=")
    return text.replace(query, "") if query else text


def restrict(page: Page, kind: str) -> PageViewRestriction:
    restriction = PageViewRestriction.objects.create(
        page=page,
        restriction_type={
            "password": PageViewRestriction.PASSWORD,
            "login": PageViewRestriction.LOGIN,
            "groups": PageViewRestriction.GROUPS,
        }[kind],
        password="open sesame" if kind == "password" else "",
    )
    if kind == "groups":
        restriction.groups.add(Group.objects.get_or_create(name="Subscribers")[0])
    return restriction


class DjangoReader:
    """Django's test client: every request rendered."""

    def __init__(self):
        self.client = Client()

    def get(self, path: str) -> tuple[int, str, str]:
        response = self.client.get(path)
        body = b"".join(response) if response.streaming else response.content
        return response.status_code, unechoed(path, body.decode()), ""


class StoreReader:
    """Through the page store in front of Django, as `byline serve` answers."""

    def __init__(self):
        self.client = StoreClient()

    def get(self, path: str) -> tuple[int, str, str]:
        answer = self.client.get(path.split("?")[0], QUERY_STRING=path.partition("?")[2])
        return answer.status, unechoed(path, answer.text), answer.state


@pytest.fixture(params=["rendered", *(f"{kind}-store" for kind in STORES)])
def reader(request, settings, tmp_path):
    """Every check runs rendered by Django, and through each kind of page store this run
    has (files; Redis where REDIS_URL is set)."""
    if request.param == "rendered":
        yield DjangoReader()
        return
    settings.BYLINE_PAGECACHE = True
    settings.BYLINE_PAGECACHE_DIR = tmp_path / "pagecache"
    prefix = f"byline-test-privacy-{uuid.uuid4().hex}:"
    if request.param == "redis-store":
        settings.BYLINE_PAGECACHE_REDIS_URL = REDIS_TEST_URL
        settings.BYLINE_PAGECACHE_PREFIX = prefix
    else:
        settings.BYLINE_PAGECACHE_REDIS_URL = ""
    keys.reset_config()
    request.getfixturevalue("keep_connection")
    yield StoreReader()
    if request.param == "redis-store":
        the_store = store.get_store()
        names = list(the_store.client.scan_iter(match=f"{prefix}*"))
        if names:
            the_store.client.delete(*names)
    store._stores.clear()
    keys.reset_config()


def assert_refused(status: int, text: str, kind: str) -> None:
    """The restricted post's address: Wagtail's password form, or the way to sign in (both
    name the address asked for, to come back to it)."""
    assert not shows_secret(text.replace(SECRET, ""))
    if kind == "password":
        assert status == 200
        assert 'name="password"' in text
    else:
        assert status == 302


def check_hidden(reader, kind: str) -> None:
    for path in LISTINGS:
        status, text, _state = reader.get(path)
        assert status == 200, path
        assert not shows_secret(text), f"{path} shows the restricted post"
    assert reader.get("/blogs/bekkers-blog/2011/08/")[0] == 404  # the month has no post left
    archive = reader.get("/blogs/bekkers-blog/archive/")[1]
    assert "2011/08/" not in archive
    for _ in range(2):  # and again: never from the store
        status, text, state = reader.get(SECRET)
        assert_refused(status, text, kind)
        assert state != "hit"
    secret_feed = f"/comments/post/{PostPage.objects.get(slug='embargoed').pk}/feed/"
    assert reader.get(secret_feed)[0] == 404


def check_shown(reader) -> None:
    for path in LISTINGS:
        status, text, _state = reader.get(path)
        assert status == 200, path
        if path not in ("/sitemap.xml",):  # the index lists sections, not posts
            assert shows_secret(text), f"{path} does not show the post once it is public"
    assert reader.get("/blogs/bekkers-blog/2011/08/")[0] == 200
    assert "2011/08/" in reader.get("/blogs/bekkers-blog/archive/")[1]
    status, text, _state = reader.get(SECRET)
    assert status == 200 and "zanzibar" in text.lower()


@pytest.mark.parametrize("kind", KINDS)
def test_restricted_post_is_nowhere_and_comes_back_when_lifted(
    site, reader, kind, django_capture_on_commit_callbacks
):
    """Warm every path (through the store: stored) with the post public, restrict it, read
    every path again; lift the restriction and read them once more."""
    check_shown(reader)
    check_shown(reader)  # the second round is what the store answers
    with django_capture_on_commit_callbacks(execute=True):
        restrict(site.secret, kind)
    check_hidden(reader, kind)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.filter(page=site.secret).delete()
    check_shown(reader)


@pytest.mark.parametrize("kind", KINDS)
def test_restriction_on_the_blog_covers_every_post(
    site, reader, kind, django_capture_on_commit_callbacks
):
    check_shown(reader)
    with django_capture_on_commit_callbacks(execute=True):
        restrict(site.blog, kind)
    for path in ["/", "/feed/", "/atom/", "/feed.json", "/sitemap-posts-0.xml", "/blogs/"]:
        status, text, _state = reader.get(path)
        assert status in (200, 404), path
        assert not shows_a_post(text), f"{path} shows a post of the restricted blog"
    assert "bekkers-blog" not in reader.get("/blogs/")[1]
    for path in ["/blogs/bekkers-blog/", OPEN, SECRET]:
        status, text, state = reader.get(path)
        assert_refused(status, text, kind)
        assert state != "hit"
    for path in ["/blogs/bekkers-blog/feed/", "/blogs/bekkers-blog/comments/feed/"]:
        assert reader.get(path)[0] == 404, path
    for path in ["/authors/scott-bekker/", "/tags/microsoft/"]:
        status, text, _state = reader.get(path)
        assert status in (200, 404) and not shows_a_post(text), path


def test_restriction_on_the_home_page_covers_the_site(
    site, reader, django_capture_on_commit_callbacks
):
    check_shown(reader)
    with django_capture_on_commit_callbacks(execute=True):
        restrict(site.home, "password")
    status, text, _state = reader.get("/")
    assert_refused(status, text, "password")
    for path in ["/feed/", "/feed.json", "/sitemap-posts-0.xml", "/search/?q=column"]:
        status, text, _state = reader.get(path)
        assert status in (200, 404) and not shows_a_post(text), path


def test_post_moved_under_a_restricted_blog_disappears(
    site, reader, django_capture_on_commit_callbacks
):
    private = publish(site.blogs, BlogPage(title="Subscribers only", slug="subscribers"))
    restrict(private, "login")
    check_shown(reader)
    with django_capture_on_commit_callbacks(execute=True):
        PostPage.objects.get(pk=site.secret.pk).move(private, pos="last-child")
    paths = ["/", "/feed/", "/authors/scott-bekker/", "/tags/microsoft/", "/sitemap-posts-0.xml"]
    for path in paths:
        status, text, _state = reader.get(path)
        assert status == 200 and not shows_secret(text), path
    status, _text, _state = reader.get("/blogs/subscribers/2011/08/embargoed/")
    assert status == 302


def test_a_blog_unpublished_without_its_posts_hides_them_everywhere(
    site, reader, django_capture_on_commit_callbacks
):
    """Wagtail unpublishes a page without its children when the editor leaves "unpublish
    child pages" unticked: the posts stay live, but their blog's address and theirs answer
    404, so no listing, feed, sitemap or search may lead to them either."""
    check_shown(reader)
    with django_capture_on_commit_callbacks(execute=True):
        BlogPage.objects.get(pk=site.blog.pk).unpublish()
    assert PostPage.objects.get(pk=site.secret.pk).live
    # The posts' own addresses are 404s (below) whose page repeats the address asked for.
    for path in [path for path in LISTINGS if path != OPEN]:
        status, text, _state = reader.get(path)
        assert status in (200, 404) and not shows_a_post(text), path
    for path in [SECRET, OPEN, "/blogs/bekkers-blog/"]:
        assert reader.get(path)[0] == 404, path
    with django_capture_on_commit_callbacks(execute=True):
        BlogPage.objects.get(pk=site.blog.pk).save_revision().publish()
    check_shown(reader)


def test_featured_item_pointing_at_a_restricted_post_is_not_shown(
    site, reader, django_capture_on_commit_callbacks
):
    featured = FeaturedList.objects.create()
    FeaturedItem.objects.create(featured_list=featured, page=site.secret, sort_order=0)
    assert shows_secret(reader.get(OPEN)[1])
    with django_capture_on_commit_callbacks(execute=True):
        restrict(site.secret, "password")
    for path in ["/", "/blogs/bekkers-blog/", OPEN]:
        assert not shows_secret(reader.get(path)[1]), path


class TestComments:
    def test_anonymous_comment_on_a_restricted_post_is_refused(self, site, client, settings):
        settings.BYLINE_COMMENTS_MODERATION = "none"
        restrict(site.secret, "password")
        response = submit(client, site.secret, body="Let me in.")
        assert response.status_code == 404
        assert not ReaderComment.objects.filter(body="Let me in.").exists()

    def test_reader_who_entered_the_password_may_comment(self, site, client, settings):
        """The password form posts to Wagtail's view, which remembers the pass in the session;
        then the post reads in full and takes the reader's comment."""
        settings.BYLINE_COMMENTS_MODERATION = "none"
        restriction = restrict(site.secret, "password")
        response = client.post(
            f"/_util/authenticate_with_password/{restriction.pk}/{site.secret.pk}/",
            {"password": "open sesame", "return_url": SECRET},
        )
        assert response.status_code == 302
        assert "zanzibar" in client.get(SECRET).content.decode().lower()
        response = submit(client, site.secret, body="Worth the password.")
        assert response.status_code == 303
        assert ReaderComment.objects.filter(body="Worth the password.").exists()

    def test_wrong_password_shows_the_form_again(self, site, client):
        restriction = restrict(site.secret, "password")
        response = client.post(
            f"/_util/authenticate_with_password/{restriction.pk}/{site.secret.pk}/",
            {"password": "guess", "return_url": SECRET},
        )
        assert response.status_code == 200
        assert not shows_secret(response.content.decode().replace(SECRET, ""))


class TestOneDefinition:
    """The SQL the fast listings and search run and the ORM condition agree with Wagtail's own
    public(), whatever is restricted."""

    @pytest.fixture
    def tree(self, site):
        other = publish(site.blogs, BlogPage(title="Second blog", slug="second"))
        for number in range(3):
            make_post(other, slug=f"second-{number}")
            make_post(site.blog, slug=f"first-{number}")
        return site, other

    def agree(self) -> None:
        from django.db import connection

        from byline.blogs.visibility import readable_sql

        wagtail = set(
            PostPage.objects.live().public().filter(date__isnull=False).values_list("pk", flat=True)
        )
        orm = set(PostPage.objects.published().values_list("pk", flat=True))
        condition, params = readable_sql("pg")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.page_ptr_id FROM blogs_postpage p JOIN wagtailcore_page pg"
                f" ON pg.id = p.page_ptr_id WHERE p.date IS NOT NULL AND {condition}",
                params,
            )
            sql = {row[0] for row in cursor.fetchall()}
        # Wagtail's public() keeps what is under an unpublished page; readers cannot reach it.
        hidden = {
            page.pk
            for page in Page.objects.live()
            if page.get_ancestors().filter(depth__gt=1, live=False).exists()
        }
        assert orm == wagtail - hidden == sql
        pages = set(Page.objects.live().public().values_list("pk", flat=True)) - hidden
        assert set(Page.objects.filter(readable_q()).values_list("pk", flat=True)) == pages

    @pytest.mark.parametrize(
        "where",
        ["nothing", "post", "blog", "second", "both-blogs", "blogs", "home", "unpublished"],
    )
    def test_sql_orm_and_wagtail_agree(self, tree, where):
        site, other = tree
        targets = {
            "nothing": [],
            "post": [site.secret],
            "blog": [site.blog],
            "second": [other],
            "both-blogs": [site.blog, other, site.secret],
            "blogs": [site.blogs],
            "home": [site.home],
            "unpublished": [],
        }[where]
        for page in targets:
            restrict(page, "login")
        if where == "unpublished":  # the second blog, without its posts; a restricted post
            BlogPage.objects.get(pk=other.pk).unpublish()
            restrict(site.secret, "login")
        self.agree()


class TestPageStore:
    def test_a_restricted_page_is_never_kept_even_for_a_reader_who_passes(self, site, rf):
        """A reader past the password (or a signed-in member) renders the post in full; the
        store must not keep that render, whatever cookie rules let the request through."""
        from django.http import HttpResponse

        from byline.pagecache.services import entry_for

        restrict(site.secret, "password")
        request = rf.get(SECRET)
        request._pagecache_page = site.secret
        response = HttpResponse("<p>Zanzibar</p>", content_type="text/html")
        assert entry_for(request, response, deps=set()) is None
        request._pagecache_page = PostPage.objects.get(slug="open-column")
        assert entry_for(request, response, deps=set()) is not None

    @pytest.mark.usefixtures("keep_connection")
    def test_bake_holds_no_restricted_page(self, site, settings, tmp_path):
        """`byline bake` finds pages as readers do and writes only what the store would keep:
        neither the restricted post nor a trace of it in the listings, feeds or sitemaps."""
        from django.core.management import call_command

        settings.BYLINE_PAGECACHE = True
        settings.BYLINE_PAGECACHE_REDIS_URL = ""
        keys.reset_config()
        store.forget_stores()
        restrict(site.secret, "password")
        out = tmp_path / "bake"
        call_command("bake", str(out), "--base-url", "http://localhost", verbosity=0)
        baked = [path for path in out.rglob("*") if path.is_file() and path.suffix != ".gz"]
        assert any(path.name == "index.html" for path in baked)
        assert "open-column" in (out / "index.html").read_text()
        for path in baked:
            if path.suffix in (".html", ".xml", ".json", ".txt"):
                assert not shows_secret(path.read_text()), path
        assert not (out / SECRET.strip("/")).exists()
        store._stores.clear()
        keys.reset_config()

    def test_a_right_password_with_a_bare_word_for_return_url_goes_home(self, site, client):
        """Wagtail's redirect() read "x" as a view's name: NoReverseMatch, a 500."""
        restriction = restrict(site.secret, "password")
        action = f"/_util/authenticate_with_password/{restriction.pk}/{site.secret.pk}/"
        response = client.post(action, {"password": "open sesame", "return_url": "x"})
        assert response.status_code == 302 and response["Location"] == "/"
        assert "zanzibar" in client.get(SECRET).content.decode().lower()

    def test_password_guesses_are_rate_limited(self, site, client, settings):
        """Three tries allowed: the fourth is refused with 429 even with the right password,
        and the post stays closed; another address may still try."""
        settings.BYLINE_PAGE_PASSWORD_RATE_LIMIT = "3/10m"
        restriction = restrict(site.secret, "password")
        action = f"/_util/authenticate_with_password/{restriction.pk}/{site.secret.pk}/"
        for guess in ("one", "two", "three"):
            response = client.post(action, {"password": guess, "return_url": SECRET})
            assert response.status_code == 200
        response = client.post(action, {"password": "open sesame", "return_url": SECRET})
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        # The same ids with leading zeros are the same limit, not Wagtail's own view.
        padded = f"/_util/authenticate_with_password/{restriction.pk:020d}/{site.secret.pk:020d}/"
        response = client.post(padded, {"password": "open sesame", "return_url": SECRET})
        assert response.status_code == 429
        assert "zanzibar" not in client.get(SECRET).content.decode().lower()
        elsewhere = Client(REMOTE_ADDR="198.51.100.7")
        response = elsewhere.post(action, {"password": "open sesame", "return_url": SECRET})
        assert response.status_code == 302
        assert "zanzibar" in elsewhere.get(SECRET).content.decode().lower()
