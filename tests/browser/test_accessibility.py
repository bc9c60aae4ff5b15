"""axe-core finds no accessibility violation on any reader page, in light and dark mode.

axe runs inside chromium from the copy in tests/browser/vendor/ (no CDN). It is added as an
init script, which the browser runs before the page's own and outside its
Content-Security-Policy, so the pages are checked under the policy readers get.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from byline.comments.tasks import unsubscribe_url as reply_mail_unsubscribe_url
from byline.newsletters import scopes, tokens
from tests.browser.reader_site import (
    LEAD_IMAGE_POST_URL,
    PASSWORD,
    POST_URL,
    ReaderSite,
    build_reader_site,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

# Every kind of page a reader can open with a GET: (name, path, expected status).
GET_PAGES = [
    ("home", "/", 200),
    ("blogs", "/blogs/", 200),
    ("blog front", "/blogs/bekkers-blog/", 200),
    ("reference post with comments", POST_URL, 200),
    ("post with a lead image", LEAD_IMAGE_POST_URL, 200),
    ("year archive", "/blogs/bekkers-blog/2011/", 200),
    ("month archive", "/blogs/bekkers-blog/2011/07/", 200),
    ("blog archive", "/blogs/bekkers-blog/archive/", 200),
    ("author", "/authors/scott-bekker/", 200),
    ("tag", "/tags/microsoft/", 200),
    ("search with results", "/search/?q=Ballmer", 200),
    ("search without results", "/search/?q=zebracorn", 200),
    ("search page", "/search/", 200),
    ("corrections", "/corrections/", 200),
    ("standard page", "/about/", 200),
    ("newsletter sign-up page", "/newsletter/", 200),
    ("not found", "/no-such-page/", 404),
    ("password form", "/members/", 200),
    ("contact form", "/authors/scott-bekker/contact/", 200),
    ("contact form sent", "/authors/scott-bekker/contact/sent/", 200),
    ("newsletter sign-up sent", "/newsletter/sent/", 200),
    ("reply form", None, 200),
    ("RSS feed as a page", "/feed/", 200),
    ("Atom feed as a page", "/atom/", 200),
    ("corrections feed as a page", "/corrections/feed/", 200),
]


def linked_pages(site: ReaderSite) -> list[tuple[str, str, int]]:
    """The pages whose address carries an id or a signed token: the thank-you for a held
    comment, the post's comment feed, and the pages the links in reply and newsletter mail
    open."""
    comment = site.post.reader_comments.first()
    reader = "ann@example.com"
    mailed = [
        ("reply mail's unsubscribe", reply_mail_unsubscribe_url(comment)),
        ("newsletter confirm link", tokens.confirm_url(email=reader, scope=scopes.ALL)),
        ("newsletter preferences link", tokens.manage_url(reader)),
        ("newsletter unsubscribe link", tokens.unsubscribe_url(email=reader)),
    ]
    held = ("comment held for moderation", f"/comments/post/{site.post.pk}/held/", 200)
    feed = ("comment feed as a page", f"/comments/post/{site.post.pk}/feed/", 200)
    return [held, feed] + [(name, urlsplit(url).path, 200) for name, url in mailed]


def axe_violations(page) -> list[dict]:
    # On a loaded CI machine chromium once tore down a page's script context while axe ran
    # in it (on the blog archive, which has no script of its own and made no request after
    # loading): "Execution context was destroyed". The page is then checked again, once
    # loaded; any other error, or the same one a third time, fails the test.
    for _ in range(2):
        try:
            return _axe_run(page)
        except PlaywrightError as error:
            if "Execution context was destroyed" not in str(error):
                raise
            page.wait_for_load_state("load")
    return _axe_run(page)


def _axe_run(page) -> list[dict]:
    # Chromium puts its own banner (<xslt-warning-banner>, the notice that it is phasing out
    # XSLT) at the top of a page made by an XSLT stylesheet; it is the browser's, not ours.
    return page.evaluate(
        """async () => {
            const context = {exclude: [["xslt-warning-banner"]]};
            const results = await axe.run(context, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({
                    target: n.target.join(" "), summary: n.failureSummary,
                })),
            }));
        }"""
    )


def readable(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in found.items():
        for violation in violations:
            lines.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def submit_as_without_javascript(page, form: str = "main form[method=post]") -> None:
    """Send the page's `form` (by default its first) as a browser without scripts does:
    form.submit() fires no submit event, so the page's scripts (proof of work, in-place
    reply) stay out of it."""
    with page.expect_navigation():
        page.evaluate("(selector) => document.querySelector(selector).submit()", form)


@pytest.fixture
def site(settings):
    # The typing below is instant; a person needs more than the form's minimum seconds.
    settings.BYLINE_FORMGUARD_MIN_SECONDS = 0
    return build_reader_site()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violation_on_any_reader_page(live_server, browser, site, scheme):
    context = browser.new_context(color_scheme=scheme)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    try:
        for name, path, status in GET_PAGES + linked_pages(site):
            if path is None:  # the reply form's address comes from the thread
                page.goto(f"{live_server.url}{POST_URL}")
                path = page.locator(".comment-reply a").first.get_attribute("href")
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == status, (name, path, response.status)
            found[name] = axe_violations(page)

        # The pages a reader reaches by sending a form wrongly, without JavaScript.
        page.goto(f"{live_server.url}{POST_URL}")
        submit_as_without_javascript(page, "form[action^='/comments/post/']")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Comment on")
        assert page.locator("[aria-invalid=true]").count() >= 1
        found["comment form with errors"] = axe_violations(page)

        page.goto(f"{live_server.url}{POST_URL}")
        submit_as_without_javascript(page, "form[action='/newsletter/subscribe/']")
        assert page.get_by_role("heading", level=1).inner_text().endswith("by e-mail")
        assert page.locator("[aria-invalid=true]").count() >= 1
        found["newsletter sign-up with errors"] = axe_violations(page)

        page.goto(f"{live_server.url}/authors/scott-bekker/contact/")
        submit_as_without_javascript(page)
        assert page.locator("[aria-invalid=true]").count() >= 1
        found["contact form with errors"] = axe_violations(page)

        page.goto(f"{live_server.url}/members/")
        page.get_by_label("Password").fill(PASSWORD + "?")
        # click() returns once the click is sent; wait for the answer before looking at it.
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        assert page.get_by_role("alert").count() >= 1
        found["password form with an error"] = axe_violations(page)
    finally:
        context.close()
    found = {where: violations for where, violations in found.items() if violations}
    assert not found, f"axe-core found violations ({scheme}):\n{readable(found)}"
