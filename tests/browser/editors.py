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


# Every element that names one of Wagtail's registered Stimulus controllers has it connected.
# Waiting for the network to fall idle instead timed out in CI under load: an editor's page
# may keep requests going (its editing-session pings, for one), so "idle" need never come.
CONTROLLERS_CONNECTED = """() => {
    const app = window.wagtail && window.wagtail.app;
    if (!app) return false;
    const registered = app.router.modulesByIdentifier;
    return [...document.querySelectorAll("[data-controller]")].every((element) =>
        element.dataset.controller.split(/\\s+/).filter(Boolean).every((identifier) =>
            !registered.has(identifier)
            || app.getControllerForElementAndIdentifier(element, identifier)));
}"""


def wait_for_admin_scripts(page) -> None:
    """Wait until the admin's scripts have attached to the page: the slug that follows the
    title and the unsaved-changes watch work only from then on."""
    page.wait_for_function(CONTROLLERS_CONNECTED)
