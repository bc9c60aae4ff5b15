"""Playwright driving Debian's chromium against pytest-django's live server.

Browser tests use the live server, so their data must be committed: mark them
``pytest.mark.django_db(transaction=True)``. The root conftest puts back Wagtail's root page,
locale and collection, which a transactional flush removes (``wagtail_baseline``).
"""

import os
import shutil
import threading
import time

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


def wait_for_live_server_requests(seconds: float = 15) -> None:
    """Until no thread of the live server is still answering a request: the test database's
    flush comes next, and the shared in-memory SQLite refuses it while another thread uses
    it ("database table is locked"), which fails that test and leaves the connection broken
    for the next ones. The live server answers each connection in a thread of its own
    (socketserver's process_request_thread), which ends once the browser has closed it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any("process_request_thread" in thread.name for thread in threading.enumerate()):
            return
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def live_server_idle_before_flush():
    """Set up after pytest-django's database fixture, so torn down before its flush, and
    after the test's own browser contexts are closed."""
    yield
    wait_for_live_server_requests()


@pytest.fixture
def page(browser):
    """A fresh browser tab with JavaScript on."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    # Stop the page's scripts (the admin pings its editing session) and close its
    # connections; live_server_idle_before_flush then waits for what the server still answers.
    page.goto("about:blank")
    context.close()


@pytest.fixture
def page_without_js(browser):
    """A fresh browser tab with JavaScript off, as some readers browse."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
