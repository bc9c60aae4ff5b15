"""Security headers on every page, and the production deploy check."""

import os
import secrets
import subprocess
import sys

import pytest

from byline.core.security import ADMIN_POLICY, READER_POLICY


@pytest.mark.django_db
class TestHeaders:
    def test_reader_pages_forbid_inline_script_and_framing(self, client):
        response = client.get("/healthz")
        policy = response["Content-Security-Policy"]
        assert policy == READER_POLICY
        directives = dict(part.split(" ", 1) for part in policy.split("; "))
        assert directives["script-src"] == "'self'"
        assert "'unsafe-inline'" not in policy
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Frame-Options"] == "DENY"

    def test_404_pages_carry_the_headers_too(self, client):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        assert response["Content-Security-Policy"] == READER_POLICY

    def test_admin_has_its_own_policy(self, client):
        response = client.get("/admin/login/")
        assert response["Content-Security-Policy"] == ADMIN_POLICY

    def test_report_only_mode(self, client, settings):
        settings.BYLINE_CSP_REPORT_ONLY = True
        response = client.get("/healthz")
        assert "Content-Security-Policy" not in response
        assert response["Content-Security-Policy-Report-Only"] == READER_POLICY

    def test_https_mode_sends_hsts_and_redirects(self, client, settings):
        settings.SECURE_SSL_REDIRECT = True
        settings.SECURE_HSTS_SECONDS = 31536000
        response = client.get("/healthz")
        assert response.status_code == 301
        assert response["Location"] == "https://testserver/healthz"
        secure = client.get("/healthz", secure=True)
        assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def deploy_check(**env) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest in this process; a
    # deployment never has it (the deploy check itself refuses it).
    unset = {"SECRET_KEY", "BYLINE_HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "byline.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
    )


def test_deploy_check_passes_with_production_settings():
    result = deploy_check(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example.com",
        BYLINE_HTTPS="1",
        BYLINE_DEBUG="0",
    )
    assert result.returncode == 0, result.stderr


def test_deploy_check_fails_without_https():
    result = deploy_check(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="news.example.com")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr or "security.W008" in result.stderr
