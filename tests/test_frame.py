"""The page frame is read once per content version, and every change it shows is on the next
render: pages, view restrictions, the publication's footer, Featured lists, the site."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from byline.blogs.models import AuthorLink
from byline.core import frame
from byline.featured.models import FeaturedItem, FeaturedList
from byline.publication.models import PublicationSettings, StandardPage
from tests.factories import build_site_tree, make_post, publish

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tree(db):
    return build_site_tree()


@pytest.fixture
def post(tree):
    return make_post(
        tree.blog, slug="why", date=datetime.datetime(2011, 7, 13, 12, tzinfo=datetime.UTC)
    )


def render(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def aside(client, url: str) -> str:
    """The Featured aside of the page at `url` ("" without one)."""
    html = render(client, url)
    start = html.find('<aside class="featured"')
    return html[start : html.index("</aside>", start)] if start >= 0 else ""


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_a_render_with_nothing_changed_reads_no_frame(client, tree, post):
    """The second render of a post reads none of the frame (site, restrictions, navigation,
    footer, Featured): its queries are the post's own."""
    first = queries(client, post.url)
    again = queries(client, post.url)
    assert again < first
    version = frame.content_version()
    assert queries(client, post.url) == again
    assert frame.content_version() == version


@pytest.mark.django_db
def test_a_page_published_unpublished_moved_shows_on_the_next_render(client, tree, post):
    render(client, post.url)
    about = publish(tree.home, StandardPage(title="About us", slug="about"))
    assert 'href="/about/">About us</a>' in render(client, post.url)

    about.title = "About the publication"
    about.save_revision().publish()
    assert "About the publication" in render(client, post.url)

    about.unpublish()
    assert "About the publication" not in render(client, post.url)

    about.save_revision().publish()
    assert 'href="/about/">About the publication</a>' in render(client, post.url)

    # Under /blogs/ it is two levels down: neither a footer link nor (unticked) a section.
    about.move(tree.blogs, pos="last-child")
    assert "About the publication" not in render(client, post.url)


@pytest.mark.django_db
def test_a_page_deleted_leaves_the_frame_on_the_next_render(client, tree, post):
    about = publish(tree.home, StandardPage(title="About us", slug="about"))
    assert "About us" in render(client, post.url)
    Page.objects.get(pk=about.pk).delete()
    assert "About us" not in render(client, post.url)


@pytest.mark.django_db
def test_a_restriction_hides_a_page_from_the_frame_and_guards_it_at_once(client, tree, post):
    """Privacy first: the restricted page's title leaves every frame on the next render, and
    the page itself asks for its password (the remembered list of restrictions is new)."""
    about = publish(tree.home, StandardPage(title="Secret about", slug="about"))
    assert "Secret about" in render(client, post.url)
    assert "Secret about" in render(client, "/about/")
    restriction = PageViewRestriction.objects.create(
        page=about, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    assert "Secret about" not in render(client, post.url)
    response = client.get("/about/")
    assert b'name="password"' in response.content
    assert b"Secret about" not in response.content
    restriction.delete()
    assert "Secret about" in render(client, post.url)
    assert b'name="password"' not in client.get("/about/").content


@pytest.mark.django_db
def test_a_restriction_above_a_post_guards_the_post_at_once(client, tree, post):
    render(client, post.url)
    PageViewRestriction.objects.create(
        page=tree.blog, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    response = client.get(post.url)
    assert b'name="password"' in response.content
    assert b"Body of post" not in response.content


@pytest.mark.django_db
def test_the_footer_changes_on_the_next_render(client, tree, post):
    site = Site.objects.get(is_default_site=True)
    assert "Printed on the moon" not in render(client, post.url)
    settings_row, _ = PublicationSettings.objects.get_or_create(site=site)
    settings_row.footer = "<p>Printed on the moon</p>"
    settings_row.save()
    assert "Printed on the moon" in render(client, post.url)
    settings_row.delete()
    assert "Printed on the moon" not in render(client, post.url)


def masthead(html: str) -> str:
    return html[html.index('<header class="masthead">') : html.index("</header>")]


@pytest.mark.django_db
def test_the_remembered_masthead_marks_the_section_each_address_is_in(client, tree, post):
    """The masthead is rendered once per section mark, not once per site: each address still
    gets its own aria-current, in any order of renders."""
    blogs = 'href="/blogs/"'
    for _ in range(2):
        assert f'{blogs} aria-current="page"' in masthead(render(client, "/blogs/"))
        assert f'{blogs} aria-current="true"' in masthead(render(client, post.url))
        home = masthead(render(client, "/"))
        assert blogs in home and "aria-current" not in home


@pytest.mark.django_db
def test_each_site_gets_its_own_remembered_masthead_and_footer(client, tree, post, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.localhost"]
    other_home = publish(
        Page.get_first_root_node(), StandardPage(title="Other home", slug="other-home")
    )
    publish(other_home, StandardPage(title="Other colophon", slug="colophon"))
    Site.objects.create(
        hostname="other.localhost", port=80, root_page=other_home, site_name="The Other Paper"
    )
    for _ in range(2):
        ours = render(client, "/")
        theirs = client.get("/", HTTP_HOST="other.localhost").content.decode()
        assert "The Other Paper" not in ours and "Other colophon" not in ours
        assert "Bekker" not in masthead(theirs)
        assert "The Other Paper" in masthead(theirs)
        assert 'href="/colophon/">Other colophon</a>' in theirs


@pytest.mark.django_db
def test_site_root_paths_are_read_once_per_version_and_follow_a_new_site(
    client, tree, post, monkeypatch, settings
):
    """Every page URL is made from the sites' root paths, which Wagtail reads from the shared
    cache once per request: here once per content version. A site added for the blogs
    gives the post its address there on the next render."""
    from wagtail.models import sites

    reads = []
    get = sites.cache.get

    def counting_get(key, *args, **kwargs):
        if key == sites.SITE_ROOT_PATHS_CACHE_KEY:
            reads.append(key)
        return get(key, *args, **kwargs)

    settings.BYLINE_PAGECACHE = False  # every request renders
    monkeypatch.setattr(sites.cache, "get", counting_get)
    second = make_post(tree.blog, slug="how", date=post.date)
    urls = ["/", post.url, second.url]
    for url in urls[:2]:
        render(client, url)
    reads.clear()
    # A post not rendered yet in this version (as each is in a bake) makes its addresses.
    assert 'href="/blogs/bekkers-blog/2011/07/why/"' in render(client, urls[2])
    assert reads == []
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "columns.example"]
    Site.objects.create(hostname="columns.example", port=80, root_page=tree.blogs)
    moved = client.get("/bekkers-blog/2011/07/why/", HTTP_HOST="columns.example")
    assert moved.status_code == 200
    assert '"url":"http://columns.example/bekkers-blog/2011/07/why/"' in moved.content.decode()


@pytest.mark.django_db
def test_an_author_or_link_change_shows_on_their_page_on_the_next_render(client, tree, post):
    """The author page's header and JSON-LD are remembered per content version."""
    url = tree.author.get_absolute_url()
    assert 'rel="me"' not in render(client, url)
    link = AuthorLink.objects.create(
        author=tree.author, label="Mastodon", url="https://mastodon.social/@sb"
    )
    html = render(client, url)
    assert '<a href="https://mastodon.social/@sb" rel="me">Mastodon</a>' in html
    assert '"sameAs":["https://mastodon.social/@sb"]' in html
    tree.author.role = "Licensing columnist"
    tree.author.save()
    html = render(client, url)
    assert '<p class="author-role">Licensing columnist</p>' in html
    assert '"jobTitle":"Licensing columnist"' in html
    link.delete()
    html = render(client, url)
    assert "mastodon.social" not in html
    assert "Licensing columnist" in html


@pytest.mark.django_db
def test_the_site_name_changes_on_the_next_render(client, tree, post):
    render(client, "/")
    site = Site.objects.get(is_default_site=True)
    site.site_name = "The Renamed Gazette"
    site.save()
    assert "The Renamed Gazette" in render(client, post.url)


@pytest.mark.django_db
def test_a_featured_list_change_shows_on_the_next_render(client, tree, post):
    other = make_post(tree.blog, title="Other story", slug="other")
    assert "Other story" not in aside(client, "/")
    featured = FeaturedList(name="Front")
    featured.items.add(FeaturedItem(sort_order=0, page=other))
    featured.save()
    assert "Other story" in aside(client, "/")
    assert "Other story" in aside(client, post.url)
    item = featured.items.get()
    item.title = "A better headline"
    item.save()
    assert "A better headline" in aside(client, "/")
    # The linked post unpublished: off the list on the next render.
    Page.objects.get(pk=other.pk).specific.unpublish()
    assert "A better headline" not in aside(client, "/")


@pytest.mark.django_db
def test_a_featured_window_opening_shows_without_a_change(client, tree, post, monkeypatch):
    """An item whose window opens later shows once it has opened, though nothing bumped the
    version: the remembered list expires when the next window opens."""
    other = make_post(tree.blog, title="Timed story", slug="timed")
    featured = FeaturedList(name="Front")
    opens = timezone.now() + datetime.timedelta(hours=1)
    featured.items.add(FeaturedItem(sort_order=0, page=other, show_from=opens))
    featured.save()
    assert "Timed story" not in aside(client, "/")
    version = frame.content_version()
    later = opens + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(frame.time, "time", later.timestamp)
    assert "Timed story" in aside(client, "/")
    assert frame.content_version() == version


@pytest.mark.django_db
def test_a_version_bumped_in_another_process_is_read_by_this_one(client, tree, post, tmp_path):
    """The version lives in the shared cache (files under var/, or Redis): a bump from
    another process (a worker, the task worker) reaches this one's next render."""
    render(client, post.url)
    warm = queries(client, post.url)
    before = frame.content_version()
    script = (
        "import json, sys, django\n"
        "django.setup()\n"
        "from django.test.utils import override_settings\n"
        "with override_settings(CACHES=json.loads(sys.argv[1])):\n"
        "    from byline.core import frame\n"
        "    assert frame.content_version() == sys.argv[2], 'not the same version'\n"
        "    frame.bump()\n"
        "    print(frame.content_version())\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "byline.settings",
        "BYLINE_VAR_DIR": str(tmp_path / "other-process"),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(settings.CACHES), before],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    after = done.stdout.strip().splitlines()[-1]
    assert after != before
    assert frame.content_version() == after
    # This process rebuilds its frame on the next render, then reads none of it again.
    assert queries(client, post.url) > warm
    assert queries(client, post.url) == warm


@pytest.mark.django_db
def test_an_unreadable_version_reads_the_frame_every_time(client, tree, post, settings):
    """No cache, no memory: with the version unreadable every render reads its frame (and
    still shows what is current)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    first = queries(client, post.url)
    assert queries(client, post.url) == first


@pytest.mark.django_db
def test_the_version_outlives_the_file_cache_culling_its_entries(settings):
    """With the file cache the version is a file of its own: the cache's culls and clear()
    (which remove its entries) leave it, so the frame is not read again for nothing."""
    from django.core.cache import cache

    if not settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        pytest.skip("the file cache's own behaviour")
    version = frame.content_version()
    cache.set("something", 1)
    cache.clear()
    assert frame.content_version() == version
    frame.bump()
    assert frame.content_version() != version
