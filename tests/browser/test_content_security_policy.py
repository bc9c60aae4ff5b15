"""The reader pages work under their own Content-Security-Policy: nothing is refused."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES = [
    "/",
    "/blogs/",
    "/blogs/bekkers-blog/",
    "/blogs/bekkers-blog/archive/",
    "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/",
    "/authors/scott-bekker/",
]


def test_no_csp_violation_on_reader_pages(live_server, page):
    call_command("demo", verbosity=0)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        # Events the page itself saw, in case a violation did not reach the console.
        seen = page.evaluate(
            """() => new Promise(resolve => {
                const found = [];
                document.addEventListener("securitypolicyviolation",
                    e => found.push(e.violatedDirective + " " + e.blockedURI));
                setTimeout(() => resolve(found), 100);
            })"""
        )
        violations.extend(seen)
    assert violations == []
