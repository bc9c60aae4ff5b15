"""paginate(): bad page numbers are 404s; a DeferredList is built only when a page is read."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from byline.core.pagination import DeferredList, paginate


def request(page: str = "1"):
    return RequestFactory().get("/", {"page": page})


def test_a_deferred_list_is_built_only_when_its_page_is_read():
    built = []

    def build():
        built.append(True)
        return list(range(25))

    page = paginate(request("2"), DeferredList(build, 25), 10, count=25)
    assert built == []
    assert (page.has_next(), page.has_previous(), page.paginator.num_pages) == (True, True, 3)
    assert list(page.object_list) == list(range(10, 20))
    assert len(page.object_list) == 10
    assert built == [True]


def test_a_deferred_list_pages_like_a_list():
    page = paginate(request("3"), DeferredList(lambda: list(range(25)), 25), 10, count=25)
    assert list(page.object_list) == [20, 21, 22, 23, 24]
    with pytest.raises(Http404):
        paginate(request("4"), DeferredList(lambda: [], 25), 10, count=25)
    with pytest.raises(TypeError):
        DeferredList(lambda: [], 25)[3]
