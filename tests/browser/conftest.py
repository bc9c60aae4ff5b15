"""Playwright driving Debian's chromium against pytest-django's live server.

Browser tests use the live server, so their data must be committed: mark them
``pytest.mark.django_db(transaction=True)``. The root conftest puts back Wagtail's root page,
locale and collection, which a transactional flush removes (``wagtail_baseline``).
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("BYLINE_CHROMIUM", "/usr/bin/chromium")
# Flags that keep a headless Chromium off the network it cannot reach here, and working as
# root in CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls
# from a thread with a running loop unless told the caller knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab with JavaScript on."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    # Stop the page's scripts (the admin pings its editing session) and let a request still
    # in the live server finish: the test database's flush comes next, and the shared
    # in-memory SQLite refuses it while another thread writes ("database table is locked").
    page.goto("about:blank")
    page.wait_for_timeout(300)
    context.close()


@pytest.fixture
def page_without_js(browser):
    """A fresh browser tab with JavaScript off, as some readers browse."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
