"""Every link in every e-mail starts with the one base URL (BYLINE_BASE_URL, by default
http://127.0.0.1:<PORT>).

The bug this guards: a reply notification's "Read it" link came from the Site record
(http://localhost/…) and its unsubscribe link from the base URL, then fixed at port 8000
whatever PORT `make run` served on: one e-mail, two wrong hosts.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from byline.settings import env_origin

BASE = "http://127.0.0.1:9123"
BYLINE = [sys.executable, "-m", "byline.cli"]


class TestSetting:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("https://news.example.com/", "https://news.example.com"),
            ("http://127.0.0.1:9123", "http://127.0.0.1:9123"),
            ("", "http://127.0.0.1:8000"),
        ],
    )
    def test_an_origin_without_a_trailing_slash(self, monkeypatch, value, expected):
        monkeypatch.setenv("BYLINE_BASE_URL", value)
        assert env_origin("BYLINE_BASE_URL", "http://127.0.0.1:8000") == expected

    @pytest.mark.parametrize(
        "value",
        [
            "news.example.com",
            "ftp://news.example.com",
            "https://news.example.com/blog",
            "https://news.example.com?x=1",
            "http://127.0.0.1:port",
            "http://127.0.0.1:0",
            "http://:9000",
        ],
    )
    def test_anything_else_fails_at_start(self, monkeypatch, value):
        monkeypatch.setenv("BYLINE_BASE_URL", value)
        with pytest.raises(ImproperlyConfigured, match="BYLINE_BASE_URL must be"):
            env_origin("BYLINE_BASE_URL", "http://127.0.0.1:8000")

    def test_the_default_follows_port(self, tmp_path):
        """`PORT=9123 make run` (the Makefile exports PORT): no base URL set, port 9123."""
        env = {**os.environ, "BYLINE_VAR_DIR": str(tmp_path), "PORT": "9123"}
        env.pop("BYLINE_BASE_URL", None)
        read = "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)"
        result = subprocess.run(
            [*BYLINE, "shell", "-v0", "-c", read], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == BASE
