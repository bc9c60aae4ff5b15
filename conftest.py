"""Test settings shared by every test: plain static storage, immediate tasks, a fresh cache."""

import pytest

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def byline_test_settings(settings, tmp_path):
    # Hashed static names need `collectstatic`; tests read the source files instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tasks run where they are enqueued, so a test sees their effects at once.
    settings.TASKS = IMMEDIATE_TASKS
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
