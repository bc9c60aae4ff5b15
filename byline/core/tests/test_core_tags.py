"""`{% page_address %}`: a page's absolute address on the host the reader asked for."""

import pytest
from django.template import engines
from django.test import RequestFactory
from wagtail.models import Page

from tests.factories import build_site_tree, make_post, publish

pytestmark = pytest.mark.django_db

ADDRESS = engines["django"].from_string(
    "{% load core_tags %}{% page_address page as address %}[{{ address }}]"
)


def test_the_address_takes_the_readers_host_not_the_site_records(settings):
    settings.ALLOWED_HOSTS = ["news.example.com"]
    tree = build_site_tree()  # its Site record says localhost:80
    post = make_post(tree.blog, title="Why", slug="why")
    request = RequestFactory().get("/", HTTP_HOST="news.example.com", secure=True)
    assert ADDRESS.render({"page": post}, request) == (
        "[https://news.example.com/blogs/bekkers-blog/2011/07/why/]"
    )


def test_a_page_in_no_site_has_no_address():
    """Not the request's own address, which build_absolute_uri(None) would give (a preview
    of a page outside every site root; Wagtail's {% fullpageurl %} wrote "None")."""
    build_site_tree()
    outside = publish(Page.get_first_root_node(), Page(title="Elsewhere", slug="elsewhere"))
    request = RequestFactory().get("/admin/pages/1/preview/?mode=x", HTTP_HOST="localhost")
    assert outside.get_url(request) is None
    assert ADDRESS.render({"page": outside}, request) == "[]"
