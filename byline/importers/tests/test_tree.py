"""The page tree an import writes into: paths, child counts and addresses stay right."""

from __future__ import annotations

from wagtail.models import Page

from byline.blogs.models import PostPage
from byline.importers.tests.test_import import run_import
from byline.publication.models import StandardPage
from tests.factories import make_post


def test_imported_pages_join_the_tree_after_the_pages_already_there(tree):
    """The importer numbers new children itself (pages._add_child), once per parent."""
    existing = make_post(tree.blog, slug="already-here")
    run_import("small.xml", "--blog", tree.blog.slug)
    run_import("small.xml", "--blog", tree.blog.slug)  # a re-run adds nothing
    assert [problem for problem in Page.find_problems() if problem] == []
    blog = Page.objects.get(pk=tree.blog.pk)
    assert blog.numchild == blog.get_children().count() > 1
    assert blog.get_children().first().pk == existing.pk
    assert PostPage.objects.filter(slug="first-post").count() == 1
    for post in PostPage.objects.child_of(blog):
        assert post.url_path == f"{blog.url_path}{post.slug}/"
    pages = list(StandardPage.objects.all())
    assert pages
    for page in pages:
        parent = page.get_parent()
        assert page.url_path == f"{parent.url_path}{page.slug}/"
        assert parent.numchild == parent.get_children().count()
