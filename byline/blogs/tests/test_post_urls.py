"""A post's address is its blog's (as Wagtail makes it), its date and its slug: worked out
without Wagtail's reverse() per post, and the same as what Wagtail's own parts give."""

import pytest
from django.test import RequestFactory
from wagtail.models import Page, Site

from byline.blogs.models import BlogPage, PostPage
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def wagtails_parts(post: PostPage, request=None):
    """Wagtail's parts for the post's tree path, with the date put before the slug."""
    site_id, root_url, path = Page.get_url_parts(post, request)
    blog_path, _, slug = path.rstrip("/").rpartition("/")
    local = post.local_date
    return site_id, root_url, f"{blog_path}/{local:%Y}/{local:%m}/{slug}/"


def test_addresses_are_wagtails_with_the_date(tree):
    accented = tree.blogs.add_child(instance=BlogPage(title="Économie", slug="économie"))
    posts = [
        make_post(tree.blog, title="Plain", slug="plain"),
        make_post(tree.blog, title="Café crème", slug="café-crème"),
        make_post(accented, title="Les taux", slug="les-taux"),
        make_post(accented, title="Über", slug="über-alles"),
    ]
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    for post in posts:
        fresh = PostPage.objects.get(pk=post.pk)
        assert fresh.get_url_parts() == wagtails_parts(fresh)
        assert fresh.get_url_parts(request) == wagtails_parts(fresh, request)
    assert PostPage.objects.get(pk=posts[3].pk).url == (
        "/blogs/%C3%A9conomie/2011/07/%C3%BCber-alles/"
    )
    # A blog's own parts are Wagtail's too, remembered.
    for blog in (BlogPage.objects.get(pk=tree.blog.pk), BlogPage.objects.get(pk=accented.pk)):
        for _ in range(2):
            assert blog.get_url_parts() == Page.get_url_parts(blog)
            assert blog.get_url_parts(request) == Page.get_url_parts(blog, request)
    assert BlogPage.objects.get(pk=accented.pk).url == "/blogs/%C3%A9conomie/"


def test_each_host_gets_its_own_site_address(tree, settings):
    """Two sites serving the same pages: each request is given its own site's root URL (as
    Wagtail does), never the one remembered for the other host."""
    settings.ALLOWED_HOSTS = ["localhost", "columns.example"]
    Site.objects.create(hostname="columns.example", port=80, root_page=tree.home)
    post = make_post(tree.blog, title="Shared", slug="shared")
    for host in ("localhost", "columns.example", "localhost"):
        request = RequestFactory().get("/", HTTP_HOST=host)
        fresh = PostPage.objects.get(pk=post.pk)
        parts = fresh.get_url_parts(request)
        assert parts == wagtails_parts(fresh, request)
        assert parts[1] == f"http://{host}"
        blog = BlogPage.objects.get(pk=tree.blog.pk)
        assert blog.get_url_parts(request) == Page.get_url_parts(blog, request)
        assert blog.get_url_parts(request)[1] == f"http://{host}"


def test_a_host_not_allowed_gets_wagtails_parts(tree):
    post = PostPage.objects.get(pk=make_post(tree.blog, title="Odd", slug="odd").pk)
    request = RequestFactory().get("/", HTTP_HOST="elsewhere.example")
    assert post.get_url_parts(request) == wagtails_parts(post, request)


def test_a_blog_is_reversed_once_for_all_its_posts(tree, monkeypatch):
    import wagtail.models.pages as wagtail_pages

    posts = [make_post(tree.blog, title=f"Post {n}", slug=f"post-{n}") for n in range(4)]
    reversed_paths = []
    reverse = wagtail_pages.reverse

    def counting_reverse(name, *args, **kwargs):
        reversed_paths.append(kwargs.get("args"))
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr(wagtail_pages, "reverse", counting_reverse)
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    urls = [PostPage.objects.get(pk=post.pk).get_url(request) for post in posts]
    assert urls == [f"/blogs/bekkers-blog/2011/07/post-{n}/" for n in range(4)]
    assert reversed_paths == [("blogs/bekkers-blog/",)]


def test_a_renamed_blog_moves_its_posts_addresses(tree, client):
    post = make_post(tree.blog, title="Moving", slug="moving")
    assert PostPage.objects.get(pk=post.pk).url == "/blogs/bekkers-blog/2011/07/moving/"
    blog = BlogPage.objects.get(pk=tree.blog.pk)
    blog.slug = "bekker"
    blog.save_revision().publish()
    moved = PostPage.objects.get(pk=post.pk)
    assert moved.url == "/blogs/bekker/2011/07/moving/"
    assert client.get(moved.url).status_code == 200
