"""An editor signed in to the Wagtail admin, for the browser tests of editing."""

from django.contrib.auth import get_user_model

PASSWORD = "a long test passphrase"


def sign_in(page, live_server, username: str = "editor"):
    """Make a superuser and sign in through the admin's own login form; returns the user."""
    user = get_user_model().objects.create_superuser(username, f"{username}@example.com", PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    return user
