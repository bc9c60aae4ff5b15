"""Sessions: a cookie's key that no session could have is no session."""

import pytest
from django.contrib.auth import get_user_model

from byline.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["\x00abcdefghij", "abcdefgh\x00", "abc def ghij", "çabcdefghij"])
def test_a_key_django_would_never_make_is_no_session(key):
    assert SessionStore(key).session_key is None


def test_a_key_django_made_is_read():
    store = SessionStore()
    store["seen"] = True
    store.save()
    assert SessionStore(store.session_key)["seen"] is True


def test_a_cookie_with_an_escaped_nul_is_a_reader_without_a_session(client):
    """Django's cookie parser unescapes octal: the NUL reached PostgreSQL (a 500)."""
    get_user_model().objects.create_user("editor", "e@example.com", "pw", is_superuser=True)
    client.cookies.load('sessionid="\\000abcdefghij"')
    assert client.cookies["sessionid"].value == "\x00abcdefghij"
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]
