"""The platform around the pages: settings from the environment, health, the scheduler."""

import datetime
import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from byline.blogs.models import PostPage
from byline.settings import env_bool, env_float, env_int, env_list
from tests.factories import build_site_tree, make_post


class TestEnvironment:
    @pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
    def test_true_spellings(self, monkeypatch, value):
        monkeypatch.setenv("BYLINE_X", value)
        assert env_bool("BYLINE_X") is True

    @pytest.mark.parametrize("value", ["0", "false", "No", "off"])
    def test_false_spellings(self, monkeypatch, value):
        monkeypatch.setenv("BYLINE_X", value)
        assert env_bool("BYLINE_X", True) is False

    def test_unset_or_empty_takes_the_default(self, monkeypatch):
        monkeypatch.delenv("BYLINE_X", raising=False)
        assert env_bool("BYLINE_X", True) is True
        monkeypatch.setenv("BYLINE_X", "")
        assert env_bool("BYLINE_X") is False

    def test_nonsense_names_the_variable(self, monkeypatch):
        monkeypatch.setenv("BYLINE_X", "maybe")
        with pytest.raises(ImproperlyConfigured, match="BYLINE_X must be .* not 'maybe'"):
            env_bool("BYLINE_X")

    def test_numbers(self, monkeypatch):
        monkeypatch.setenv("BYLINE_N", "42")
        assert env_int("BYLINE_N", 5) == 42
        assert env_float("BYLINE_N", 1.5) == 42.0
        monkeypatch.setenv("BYLINE_N", "0.25")
        assert env_float("BYLINE_N", 1.5) == 0.25

    def test_unset_or_empty_numbers_take_the_default(self, monkeypatch):
        """.env.example lists BYLINE_WORKERS= empty: that is the default, not an error."""
        monkeypatch.delenv("BYLINE_N", raising=False)
        assert env_int("BYLINE_N", 5) == 5
        assert env_float("BYLINE_N", 1.5) == 1.5
        monkeypatch.setenv("BYLINE_N", "")
        assert env_int("BYLINE_N", 5) == 5
        assert env_float("BYLINE_N", 1.5) == 1.5

    @pytest.mark.parametrize("value", ["ten", "1.5", "5s"])
    def test_a_bad_whole_number_names_the_variable(self, monkeypatch, value):
        monkeypatch.setenv("BYLINE_N", value)
        with pytest.raises(ImproperlyConfigured, match=f"BYLINE_N must be .* not '{value}'"):
            env_int("BYLINE_N", 5)

    def test_a_bad_number_names_the_variable(self, monkeypatch):
        monkeypatch.setenv("BYLINE_N", "15m")
        with pytest.raises(ImproperlyConfigured, match="BYLINE_N must be .* not '15m'"):
            env_float("BYLINE_N", 1.5)

    def test_lists_ignore_spaces_and_empties(self, monkeypatch):
        monkeypatch.setenv("BYLINE_HOSTS", " a.example , ,b.example,")
        assert env_list("BYLINE_HOSTS") == ["a.example", "b.example"]

    @pytest.mark.parametrize("value", ["*", "utm_source,*", "q=1", "utm_*_id"])
    def test_ignored_parameters_that_would_swallow_a_query_are_refused(self, value):
        """ "*" would answer every search and WordPress ?p=ID with the plain page."""
        env = {**os.environ, "BYLINE_PAGECACHE_IGNORED_PARAMETERS": value}
        result = subprocess.run(
            [sys.executable, "-c", "import byline.settings"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0
        assert "BYLINE_PAGECACHE_IGNORED_PARAMETERS takes parameter names" in result.stderr


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_unreachable(client):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: the connection is refused at once.
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"


@pytest.mark.django_db
class TestScheduler:
    def test_scheduled_post_goes_live_when_due(self, client):
        tree = build_site_tree()
        post = make_post(tree.blog, slug="scheduled", date=None, live=False)
        post.go_live_at = timezone.now() + datetime.timedelta(minutes=5)
        post.save_revision().publish()  # with go_live_at in the future this schedules it
        post.refresh_from_db()
        assert not post.live

        call_command("scheduler", once=True, verbosity=0)
        post.refresh_from_db()
        assert not post.live  # not due yet

        # Time passes (or the server was down when it fell due): the next pass catches up.
        past = timezone.now() - datetime.timedelta(seconds=1)
        revision = post.scheduled_revision
        revision.content["go_live_at"] = past.isoformat()
        revision.approved_go_live_at = past
        revision.save()
        cache.clear()  # the previous pass's lock
        call_command("scheduler", once=True, verbosity=0)
        post = PostPage.objects.get(pk=post.pk)
        assert post.live
        assert post.date is not None  # dated when it went live
        assert client.get(post.url).status_code == 200
