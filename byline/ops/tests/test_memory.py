"""What bounds a worker's memory: SQLite's page cache per connection, and one malloc arena."""

import os
import subprocess
import sys

from byline.ops.serve import child_environment


def sqlite_init_command(directory, **environ: str) -> str:
    """The init_command settings give SQLite connections under this environment (settings
    make the database file, so it goes in `directory`)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "byline.settings",
        "DATABASE_URL": f"sqlite:///{directory / 'unused.sqlite3'}",
        **environ,
    }
    if "BYLINE_SQLITE_CACHE_KB" not in environ:
        env.pop("BYLINE_SQLITE_CACHE_KB", None)
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['OPTIONS']['init_command'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_sqlite_cache_is_4_mb_per_connection_by_default(tmp_path):
    assert "PRAGMA cache_size=-4000;" in sqlite_init_command(tmp_path)


def test_sqlite_cache_follows_byline_sqlite_cache_kb(tmp_path):
    command = sqlite_init_command(tmp_path, BYLINE_SQLITE_CACHE_KB="20000")
    assert "PRAGMA cache_size=-20000;" in command
    # A negative number is no size in kB: taken as none (SQLite then keeps a few pages).
    assert "PRAGMA cache_size=-0;" in sqlite_init_command(tmp_path, BYLINE_SQLITE_CACHE_KB="-5")


def test_serve_runs_its_processes_with_one_malloc_arena():
    assert child_environment({"PATH": "/bin"}) == {"PATH": "/bin", "MALLOC_ARENA_MAX": "1"}


def test_an_operators_malloc_arena_max_wins():
    assert child_environment({"MALLOC_ARENA_MAX": "4"})["MALLOC_ARENA_MAX"] == "4"
