"""Every reader form's fields are described to screen readers by elements that exist: Django
names a field's help text `<id>_helptext` and its errors `<id>_error` in aria-describedby,
and the templates must give those ids to what they show (issue #15: the comment form's help
was `<id>-help`, so none of it was ever read out)."""

import time

import lxml.html
import pytest
from wagtail.models import PageViewRestriction

from byline.core import formguard
from tests.factories import build_site_tree, make_post

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def post(db):
    tree = build_site_tree()
    return make_post(tree.blog, title="Why Partners Like Steve Ballmer", slug="why")


def token(purpose: str) -> str:
    """The form guard's token of a page loaded a minute ago, as a person's browser sends it."""
    return formguard.form_token(purpose, now=time.time() - 60)


def described_fields(response) -> dict[str, list[str]]:
    """{field name: the ids its aria-describedby names that the page lacks}, for every field
    that has one."""
    page = lxml.html.fromstring(response.content)
    ids = set(page.xpath("//@id"))
    return {
        field.get("name"): [
            name for name in field.get("aria-describedby").split() if name not in ids
        ]
        for field in page.xpath("//*[self::input or self::textarea or self::select]")
        if field.get("aria-describedby")
    }


def assert_described(response, *, expected: set[str]) -> None:
    fields = described_fields(response)
    assert set(fields) == expected
    assert {name: missing for name, missing in fields.items() if missing} == {}


def test_comment_form_on_the_post_page(client, post):
    assert_described(client.get(post.url), expected={"email", "website", "body"})


def test_comment_form_that_comes_back_without_javascript(client, post):
    """Help and errors both: the name has an error only, e-mail and website both."""
    data = {
        "name": "",
        "email": "not-an-address",
        "website": "javascript:alert(1)",
        "body": "Fine words.",
        formguard.TOKEN_FIELD: token("comments.comment"),
        "phone": "",
    }
    response = client.post(f"/comments/post/{post.pk}/", data, headers=SAME_ORIGIN)
    assert response.status_code == 400
    assert_described(response, expected={"name", "email", "website", "body"})
    field = lxml.html.fromstring(response.content).get_element_by_id("id_email")
    assert field.get("aria-describedby") == "id_email_helptext id_email_error"


def test_contact_form_and_its_errors(client, post):
    url = "/authors/scott-bekker/contact/"
    assert_described(client.get(url), expected=set())  # no help text, no error yet
    data = {
        "name": "Ann Reader",
        "email": "not-an-address",
        "subject": "",
        "message": "Partners do like him.",
        formguard.TOKEN_FIELD: token("mailguard.contact"),
        "phone": "",
    }
    response = client.post(url, data, headers=SAME_ORIGIN)
    assert response.status_code == 200
    assert_described(response, expected={"email", "subject"})


def test_page_password_form_and_its_error(client, post):
    restriction = PageViewRestriction.objects.create(
        page=post, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )
    assert_described(client.get(post.url), expected=set())
    response = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{post.pk}/",
        {"password": "guess", "return_url": post.url},
    )
    assert response.status_code == 200
    assert_described(response, expected={"password"})
