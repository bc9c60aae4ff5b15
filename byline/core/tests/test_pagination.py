"""paginate(): the page ?page=N names, and a 404 (never a 500) for any other value."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from byline.core.pagination import paginate


def request(page: str = "1"):
    return RequestFactory().get("/", {"page": page})


def test_a_page_of_a_list():
    page = paginate(request("3"), list(range(25)), 10, count=25)
    assert list(page.object_list) == [20, 21, 22, 23, 24]
    assert (page.has_next(), page.has_previous(), page.paginator.num_pages) == (False, True, 3)


@pytest.mark.parametrize("number", ["4", "0", "-1", "abc", "1.5", "99999999999999999999", "٣"])
def test_a_page_that_is_not_there_is_a_404(number):
    with pytest.raises(Http404):
        paginate(request(number), list(range(25)), 10, count=25)
