"""handler500: a database that does not answer is a 503 with Retry-After; any other error
the plain 500 page. This module is its own URLconf, with views that fail on purpose."""

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import path


def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def connection_gone(request):
    raise InterfaceError("connection already closed")


def broken(request):
    raise ValueError("a bug")


urlpatterns = [
    path("database-down/", database_down),
    path("connection-gone/", connection_gone),
    path("broken/", broken),
]
handler500 = "byline.core.views.server_error"


@pytest.fixture
def reader(client):
    client.raise_request_exception = False
    return client


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/database-down/", "/connection-gone/"])
def test_a_database_that_does_not_answer_is_a_503_to_retry(reader, url):
    response = reader.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    assert b"Back in a moment" in response.content
    assert b"Connection refused" not in response.content


@pytest.mark.urls(__name__)
def test_any_other_error_is_the_plain_500(reader):
    response = reader.get("/broken/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert b"Something went wrong" in response.content


def test_the_site_uses_it():
    from byline import urls

    assert urls.handler500 == "byline.core.views.server_error"
