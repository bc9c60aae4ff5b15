"""Signing up for a column's newsletter in a real browser, with JavaScript on and off: the form,
the confirmation mail through a real SMTP server, the confirming button, the one-click leave."""

import re

import pytest

from byline.newsletters.models import Subscriber, SubscriberStatus
from tests.factories import build_site_tree

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_up_confirm_and_leave(live_server, browser, smtp, settings, javascript):
    settings.BYLINE_FORMGUARD_MIN_SECONDS = 0  # the test fills the form faster than a person
    settings.WAGTAILADMIN_BASE_URL = live_server.url  # the mailed links lead back here
    tree = build_site_tree()
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/newsletter/?scope=blog:{tree.blog.pk}")
        assert page.get_by_role("heading", level=1).inner_text() == "Get Bekker's Blog by e-mail"
        page.get_by_label("Your e-mail address").fill("ann@example.com")
        with page.expect_navigation():
            page.get_by_role("button", name="Subscribe").click()
        assert page.url == f"{live_server.url}/newsletter/sent/"
        assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
        assert not Subscriber.objects.exists()

        [message] = smtp.messages
        text = message.get_body(preferencelist=("plain",)).get_content()
        link = re.search(r"(http://\S+/newsletter/confirm/\S+/)", text)[1]
        page.goto(link)
        with page.expect_navigation():
            page.get_by_role("button", name="Yes, subscribe me").click()
        assert page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
        assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED

        with page.expect_navigation():
            page.get_by_role("link", name="Choose how often, or which columns").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Unsubscribe from everything").click()
        assert page.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"
        assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED
    finally:
        context.close()
