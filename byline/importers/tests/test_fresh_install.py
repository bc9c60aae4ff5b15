"""`byline import-wordpress` on a fresh install: after `byline migrate` and nothing else."""

from __future__ import annotations

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Page, Site

from byline.blogs.models import BlogIndexPage, BlogPage, PostPage
from byline.importers.tests.test_import import FILES, snapshot
from byline.publication.models import PublicationPage
from tests.factories import ensure_wagtail_baseline


@pytest.fixture
def fresh_install(db):
    """What Wagtail's migrations leave: the root, its "Welcome" page, a default Site on it."""
    ensure_wagtail_baseline()
    root = Page.get_first_root_node()
    welcome = root.get_children().first()
    if welcome is None:
        welcome = root.add_child(
            instance=Page(
                title="Welcome to your new Wagtail site!",
                slug="home",
                content_type=ContentType.objects.get_for_model(Page),
            )
        )
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": welcome}
    )
    assert not PublicationPage.objects.exists()
    return welcome


def test_the_first_import_makes_the_publication_from_the_export(fresh_install, client):
    """No `byline demo`: the home takes the export's title and description, the blog index
    and the blog are made, and the posts answer at their addresses."""
    out = io.StringIO()
    call_command("import-wordpress", str(FILES / "small.xml"), stdout=out)
    home = PublicationPage.objects.get()
    assert home.title == "Small Site" and home.live
    assert home.tagline == "A small site for tests"
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk and site.site_name == "Small Site"
    assert not Page.objects.filter(pk=fresh_install.pk).exists()  # the welcome page is gone
    index = BlogIndexPage.objects.child_of(home).get()
    blog = BlogPage.objects.child_of(index).get()
    assert blog.slug == "small-site" and blog.title == "Small Site"
    post = PostPage.objects.get(slug="first-post")
    assert post.url == "/blogs/small-site/2020/05/first-post/"
    assert client.get(post.url).status_code == 200
    assert client.get("/").status_code == 200
    assert "the publication home 'Small Site' was created" in out.getvalue()
    # Nothing of the demo's content came with it.
    assert not BlogPage.objects.filter(slug="bekkers-blog").exists()


def test_a_failed_first_import_leaves_the_fresh_install_as_it_was(fresh_install, tmp_path):
    """The publication home is made inside the import's transaction: a file that breaks
    half-way leaves no home, no blog and the welcome page where it was."""
    text = (FILES / "small.xml").read_text()
    broken = tmp_path / "broken.xml"
    broken.write_text(text[: text.index("<title>About</title>")] + "<wp:post_id>oops</item>")
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("import-wordpress", str(broken), stdout=io.StringIO())
    assert snapshot() == before
    assert not PublicationPage.objects.exists()
    assert Site.objects.get(is_default_site=True).root_page_id == fresh_install.pk


def test_a_site_rooted_elsewhere_is_not_rearranged(fresh_install):
    """A default site whose root page has content was set up by someone: the import says
    so and changes nothing, rather than moving the site onto a new home."""
    fresh_install.add_child(instance=Page(title="Somebody's page", slug="somebody"))
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        call_command("import-wordpress", str(FILES / "small.xml"), stdout=io.StringIO())
    assert "there is no publication to import into" in str(raised.value)
    assert "Nothing was changed" in str(raised.value)
    assert snapshot() == before
