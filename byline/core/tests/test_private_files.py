"""Files only Byline's user may read (the database, secrets), made so whatever the umask, and a
first start of several processes that ends with one secret key."""

import json
import multiprocessing
import os
import secrets
import subprocess
import sys
import time

from byline.core import private_files


def byline_env(var) -> dict:
    """A process with its own var/ and SQLite database there, and no SECRET_KEY set."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "byline.settings",
        "BYLINE_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'byline.sqlite3'}",
    }
    for name in ("SECRET_KEY", "REDIS_URL", "DATABASE_REPLICA_URL"):
        env.pop(name, None)
    return env


def _race(path, barrier, queue) -> None:
    def slow_new_key() -> str:
        # Long enough that every process has looked for the file before any has saved one:
        # a check-then-write would end with as many keys as processes.
        time.sleep(0.2)
        return secrets.token_urlsafe(50)

    barrier.wait()
    queue.put(private_files.read_or_create(path, make=slow_new_key))


def test_processes_racing_to_make_the_key_all_get_the_first_one_saved(tmp_path):
    context = multiprocessing.get_context("fork")
    count = 8
    barrier, queue = context.Barrier(count), context.Queue()
    (tmp_path / "var").mkdir()
    path = tmp_path / "var" / "secret_key"
    processes = [context.Process(target=_race, args=(path, barrier, queue)) for _ in range(count)]
    for process in processes:
        process.start()
    keys = [queue.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert len(set(keys)) == 1
    assert keys[0] == path.read_text() and len(keys[0]) > 40
    assert path.stat().st_mode & 0o777 == 0o600
    assert [entry.name for entry in path.parent.iterdir()] == ["secret_key"]  # no temporaries


def test_servers_starting_together_on_a_new_machine_share_one_key(tmp_path):
    """What `byline serve` does on a first start: several processes load the settings at once
    on an empty var/ and must all sign with the same key. (Their start is too loose to race
    reliably; the test above is the one that proves the race is won once.)"""
    var = tmp_path / "var"
    script = "import byline.settings as s; print(s.SECRET_KEY)"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            env=byline_env(var),
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert keys == {(var / "secret_key").read_text().strip()}


# What a new process sees and does first: the settings, then a write through Django, reporting
# the modes while the connection is open (SQLite removes -wal and -shm at the last close).
FIRST_START = """
import json, os, django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS note (body TEXT)")
    cursor.execute("INSERT INTO note VALUES ('what a reader wrote')")
name = str(settings.DATABASES["default"]["NAME"])
files = [name, name + "-wal", name + "-shm", str(settings.VAR_DIR / "secret_key")]
print(json.dumps({os.path.basename(f): os.stat(f).st_mode & 0o777 for f in files}))
"""


def first_start(var) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "-c", FIRST_START],
        env=byline_env(var),
        umask=0o022,  # the usual one, under which SQLite's own files are readable by all
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_a_first_start_makes_the_database_its_journal_and_the_secret_key_0600(tmp_path):
    modes = first_start(tmp_path / "var")
    assert modes == {
        "byline.sqlite3": 0o600,
        "byline.sqlite3-wal": 0o600,
        "byline.sqlite3-shm": 0o600,
        "secret_key": 0o600,
    }


def test_a_database_made_before_is_narrowed_to_0600(tmp_path):
    """A site from before this change (SQLite's 0644) is made private at the next start."""
    var = tmp_path / "var"
    var.mkdir()
    database = var / "byline.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    assert first_start(var)["byline.sqlite3"] == 0o600


def test_files_are_0600_whatever_the_umask(tmp_path):
    """os.open's mode is narrowed by the umask: 0277 would leave 0400, which Byline could not
    write again; the mode set afterwards is exact."""
    old = os.umask(0o277)
    try:
        with private_files.create(tmp_path / "archive") as handle:
            handle.write(b"data")
        private_files.write(tmp_path / "password", "pw\n")
        private_files.sqlite_database(str(tmp_path / "db.sqlite3"))
    finally:
        os.umask(old)
    for name in ("archive", "password", "db.sqlite3"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name


def test_write_replaces_a_wider_file_and_leaves_no_temporary(tmp_path):
    (tmp_path / "var").mkdir()
    target = tmp_path / "var" / "admin-password"
    target.write_text("old\n")
    target.chmod(0o644)
    private_files.write(target, "new\n")
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [path.name for path in target.parent.iterdir()] == ["admin-password"]
