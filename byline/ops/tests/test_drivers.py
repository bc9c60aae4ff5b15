"""A web worker of a SQLite site never loads PostgreSQL's driver, and everything still works."""

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys

import pytest

from byline.ops import drivers

# Loads the application as a web worker does (byline.wsgi), or with a plain django.setup()
# as any other process does, then uses the Wagtail admin's API (Django REST framework, which
# imports django.contrib.postgres when it can), the explorer and a reader-facing check.
WORKER = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")
if sys.argv[1] == "wsgi":
    from byline.wsgi import application
else:
    import django
    django.setup()
from django.contrib.auth import get_user_model
from django.test import Client

client = Client()
client.force_login(get_user_model().objects.create_superuser("admin", "a@example.com", "pw"))
api = client.get("/admin/api/main/pages/?child_of=root")
print(json.dumps({
    "loaded": sorted(name for name, module in sys.modules.items()
                     if name.split(".")[0] == "psycopg" and module is not None),
    "api": [api.status_code, "meta" in api.json()],
    "explorer": client.get("/admin/pages/").status_code,
    "health": client.get("/healthz").status_code,
}))
"""


def run_worker(tmp_path, migrated_sqlite, how: str) -> dict:
    folder = tmp_path / how
    folder.mkdir()
    shutil.copyfile(migrated_sqlite, folder / "site.sqlite3")
    env = {
        **os.environ,
        "BYLINE_VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "ALLOWED_HOSTS": "testserver",
        "BYLINE_DEBUG": "1",
    }
    for name in ("REDIS_URL", "DATABASE_REPLICA_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", WORKER, how], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_sqlite_web_worker_runs_the_admin_api_without_the_postgresql_driver(
    tmp_path, migrated_sqlite
):
    # Installed, and loaded by any other process of the same site: what the worker avoids.
    assert importlib.metadata.version("psycopg")
    assert "psycopg" in run_worker(tmp_path, migrated_sqlite, "plain")["loaded"]
    worker = run_worker(tmp_path, migrated_sqlite, "wsgi")
    assert worker["loaded"] == []
    assert worker["api"] == [200, True]
    assert worker["explorer"] == worker["health"] == 200


@pytest.fixture
def modules(monkeypatch):
    """A copy of sys.modules for the test to change: the import system keeps using its own."""
    copy = dict(sys.modules)
    monkeypatch.setattr(sys, "modules", copy)
    return copy


def test_postgresql_keeps_its_driver(modules):
    modules.pop("psycopg", None)
    databases = {"default": {"ENGINE": "django.db.backends.sqlite3"}}
    databases["replica"] = {"ENGINE": drivers.POSTGRESQL}
    assert drivers.keep_postgresql_driver_out(databases) is False
    assert "psycopg" not in modules


def test_sqlite_marks_the_drivers_absent_but_leaves_one_already_loaded(modules):
    loaded = object()
    modules["psycopg"] = loaded
    modules.pop("psycopg2", None)
    assert drivers.keep_postgresql_driver_out({"default": {"ENGINE": "django.db.backends.sqlite3"}})
    assert modules["psycopg"] is loaded
    assert modules["psycopg2"] is None
