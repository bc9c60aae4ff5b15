"""What bounds a worker's memory: SQLite's page cache per connection, one malloc arena, and
malloc_trim now and then after a response."""

import os
import platform
import subprocess
import sys

import pytest

from byline.ops import memory
from byline.ops.memory import Trimmer, find_malloc_trim
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


def test_sqlite_cache_is_2_mb_per_connection_by_default(tmp_path):
    assert "PRAGMA cache_size=-2000;" in sqlite_init_command(tmp_path)


def test_sqlite_cache_follows_byline_sqlite_cache_kb(tmp_path):
    command = sqlite_init_command(tmp_path, BYLINE_SQLITE_CACHE_KB="20000")
    assert "PRAGMA cache_size=-20000;" in command
    # A negative number is no size in kB: taken as none (SQLite then keeps a few pages).
    assert "PRAGMA cache_size=-0;" in sqlite_init_command(tmp_path, BYLINE_SQLITE_CACHE_KB="-5")


def test_serve_runs_2_threads_a_worker_unless_byline_threads_says_otherwise(tmp_path):
    code = (
        "import django; django.setup();"
        "from byline.ops.management.commands.serve import Command;"
        "parser = Command().create_parser('byline', 'serve');"
        "print(parser.parse_args([]).threads)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "byline.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    env.pop("BYLINE_THREADS", None)
    run = subprocess.run
    default = run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    env["BYLINE_THREADS"] = "6"
    chosen = run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert (default.stdout.strip(), chosen.stdout.strip()) == ("2", "6")


def test_serve_runs_its_processes_with_one_malloc_arena():
    assert child_environment({"PATH": "/bin"}) == {"PATH": "/bin", "MALLOC_ARENA_MAX": "1"}


def test_an_operators_malloc_arena_max_wins():
    assert child_environment({"MALLOC_ARENA_MAX": "4"})["MALLOC_ARENA_MAX"] == "4"


GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_malloc_trim_is_found_and_runs_on_glibc():
    trim = find_malloc_trim()
    assert trim is not None
    assert trim() in (0, 1)  # 1: memory was given back, 0: there was none to give


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_trims_at_most_once_per_interval():
    clock, calls = Clock(), []
    trimmer = Trimmer(10, lambda: calls.append(clock.now), clock=clock)
    for now in (1000, 1005, 1009.9, 1010, 1015, 1019.9, 1020, 1050):
        clock.now = now
        trimmer()
    assert calls == [1010, 1020, 1050]
    assert trimmer.trims == 3


def test_zero_seconds_or_no_malloc_trim_never_trims():
    clock, calls = Clock(), []
    off = Trimmer(0, lambda: calls.append(1), clock=clock)
    missing = Trimmer(10, None, clock=clock)
    clock.now += 3600
    off()
    missing()
    assert calls == []
    assert off.trims == missing.trims == 0


def test_the_trim_setting_is_read_from_the_environment(tmp_path):
    code = "from django.conf import settings as s; print(s.BYLINE_MALLOC_TRIM_SECONDS)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "byline.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    env.pop("BYLINE_MALLOC_TRIM_SECONDS", None)
    run = subprocess.run
    default = run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    env["BYLINE_MALLOC_TRIM_SECONDS"] = "0"
    off = run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert (default.stdout.strip(), off.stdout.strip()) == ("10.0", "0.0")


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
@pytest.mark.django_db
def test_a_finished_request_trims_once_the_interval_has_passed(client):
    trimmer = memory.trimmer
    assert trimmer is not None  # connected when the app loaded (10 s by default)
    trimmer.last = trimmer.clock() - trimmer.every
    before = trimmer.trims
    client.get("/healthz")
    assert trimmer.trims == before + 1
    client.get("/healthz")  # within the interval: no second trim
    assert trimmer.trims == before + 1
